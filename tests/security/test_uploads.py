"""Uploads: the type is read from the content, sizes are bounded, nothing is served with an executable type,
downloads are attachments with nosniff, and only the people allowed can fetch them."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Attachment
from tests.projects.conftest import PDF, PNG

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>window.__xss=1</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"><script>window.__xss=1</script></svg>'
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

DISGUISED = {
    "html_as_pdf": ("statuts.pdf", HTML),
    "svg_as_png": ("logo.png", SVG),
    "elf_as_pdf": ("budget.pdf", ELF),
    "exe_as_docx": ("rapport.docx", EXE),
    "png_as_pdf": ("statuts.pdf", PNG),
    "html_extension": ("page.html", HTML),
    "svg_extension": ("logo.svg", SVG),
    "exe_extension": ("setup.exe", EXE),
}


def upload(client, application, name, content):
    return client.post(
        reverse("projects:step", args=[application.pk, "attachments"]),
        {"kind": "other", "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize("case", sorted(DISGUISED))
def test_application_attachment_whose_content_is_not_its_extension_is_refused(
    login, asso_admin, open_call, organisation, application_factory, case
):
    application = application_factory(open_call, organisation, complete=False)
    name, content = DISGUISED[case]
    response = upload(login(asso_admin), application, name, content)
    assert response.status_code == 200
    text = response.content.decode()
    assert ("format non accepté" in text) or ("ne correspond pas à son extension" in text), case
    assert not application.attachments.exists()


def test_application_attachment_over_the_size_limit_is_refused_in_french(
    login, asso_admin, open_call, organisation, application_factory, monkeypatch
):
    from projects import settings as projects_settings

    monkeypatch.setattr(projects_settings, "MAX_ATTACHMENT_SIZE", 1024)
    application = application_factory(open_call, organisation, complete=False)
    response = upload(login(asso_admin), application, "gros.pdf", PDF + b"%" * 2048)
    assert "dépasse la taille maximale" in response.content.decode()
    assert not application.attachments.exists()


def test_a_real_pdf_is_accepted_and_downloaded_as_an_attachment_with_nosniff(
    login, asso_admin, open_call, organisation, application_factory
):
    application = application_factory(open_call, organisation, complete=False)
    client = login(asso_admin)
    response = upload(client, application, "statuts.pdf", PDF)
    assert response.status_code == 302
    attachment = application.attachments.get()
    assert attachment.content_type == "application/pdf"
    download = client.get(reverse("projects:attachment_download", args=[application.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF


def test_attachments_are_stored_outside_the_public_media_root(open_call, organisation, application_factory, settings):
    application = application_factory(open_call, organisation)
    attachment = application.attachments.get()
    assert not attachment.file.path.startswith(str(settings.MEDIA_ROOT))


@pytest.mark.parametrize(
    "who,expected",
    [
        ("anonymous", "login"),
        ("citizen", 404),
        ("member_b", 404),
        ("moderator", 404),
        ("editor", 200),
        ("reviewer_unassigned", 404),
        ("member_a", 200),
    ],
)
def test_attachment_download_is_refused_to_whoever_may_not_see_the_application(
    client,
    open_call,
    organisation,
    organisation_b,
    application_factory,
    alice,
    asso_member,
    asso_b_admin,
    moderator,
    editor,
    reviewer,
    who,
    expected,
):
    application = application_factory(open_call, organisation, status="submitted")
    attachment = application.attachments.get()
    user = {
        "anonymous": None,
        "citizen": alice,
        "member_b": asso_b_admin,
        "moderator": moderator,
        "editor": editor,
        "reviewer_unassigned": reviewer,
        "member_a": asso_member,
    }[who]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("projects:attachment_download", args=[application.pk, attachment.pk]))
    if expected == "login":
        assert response.status_code == 302 and "/compte/login/" in response["Location"]
    else:
        assert response.status_code == expected, who


def test_wagtail_document_is_served_as_an_attachment_with_nosniff_and_no_active_content(client, home_page):
    from wagtail.documents.models import Document

    document = Document(title="Rapport")
    document.file.save("rapport.txt", ContentFile(HTML), save=False)
    document.save()
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response.get("Content-Disposition", "")
    csp = response.get("Content-Security-Policy", "")
    # Wagtail serves plain text/PDF inline but then blocks every active content; everything else as attachment.
    assert disposition.startswith("attachment") or "default-src 'none'" in csp, (disposition, csp)
    assert not response["Content-Type"].startswith("text/html")


def test_wagtail_admin_refuses_a_document_with_an_executable_extension(login, editor):
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission

    group = editor.groups.first()
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for codename in ("add_document", "change_document", "choose_document"):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=Permission.objects.get(codename=codename)
        )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    client = login(editor)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Piège",
            "collection": root.pk,
            "file": SimpleUploadedFile("piege.html", HTML),
        },
    )
    from wagtail.documents.models import Document

    assert not Document.objects.filter(title="Piège").exists()
    assert response.status_code == 200


def test_wagtail_image_upload_refuses_an_svg_or_html_disguised_as_png(login, editor):
    from django.contrib.auth.models import Permission
    from wagtail.images.models import Image
    from wagtail.models import Collection, GroupCollectionPermission

    group = editor.groups.first()
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for codename in ("add_image", "change_image", "choose_image"):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=Permission.objects.get(codename=codename)
        )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    client = login(editor)
    for name, content in (("logo.png", SVG), ("logo.png", HTML), ("logo.svg", SVG)):
        client.post(
            reverse("wagtailimages:add"),
            {
                "title": f"Piège {name}",
                "collection": root.pk,
                "file": SimpleUploadedFile(name, content),
            },
        )
    assert not Image.objects.filter(title__startswith="Piège").exists()


def test_no_media_route_serves_uploads_when_debug_is_off(client, settings):
    from django.urls import Resolver404, resolve

    assert not settings.DEBUG
    with pytest.raises(Resolver404):  # no static() media route: /media/ is served by the front proxy only
        resolve("/media/projects/statuts.html")
    assert not Attachment.file.field.storage.location.startswith(str(settings.MEDIA_ROOT))
