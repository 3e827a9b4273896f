"""StreamField blocks for institutional pages, each rendered with DSFR markup."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), required=False)
    text = blocks.TextBlock(label=_("Texte"))
    link_label = blocks.CharBlock(label=_("Libellé du lien"), required=False)
    link_url = blocks.CharBlock(label=_("Adresse du lien"), required=False)

    class Meta:
        template = "core/blocks/callout.html"
        icon = "info-circle"
        label = _("Mise en avant")


class AccordionItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"))
    body = blocks.RichTextBlock(label=_("Contenu"), features=["bold", "italic", "link", "ol", "ul"])


class AccordionBlock(blocks.StructBlock):
    items = blocks.ListBlock(AccordionItemBlock(), label=_("Éléments"))

    class Meta:
        template = "core/blocks/accordion.html"
        icon = "list-ul"
        label = _("Accordéon")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citation"))
    author = blocks.CharBlock(label=_("Auteur"), required=False)

    class Meta:
        template = "core/blocks/quote.html"
        icon = "openquote"
        label = _("Citation")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(label=_("Texte alternatif (vide si décorative)"), required=False)
    caption = blocks.CharBlock(label=_("Légende"), required=False)

    class Meta:
        template = "core/blocks/image.html"
        icon = "image"
        label = _("Image")


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("Intertitre"), form_classname="title", template="core/blocks/heading.html")
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"), features=["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"]
    )
    callout = CalloutBlock()
    accordion = AccordionBlock()
    quote = QuoteBlock()
    image = ImageBlock()
