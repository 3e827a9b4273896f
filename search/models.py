"""The search documents the database engine queries, and the updates not yet applied to Elasticsearch.

`SearchDocument` is a denormalised copy of every *public* item (one row per item, whatever its model), built by
search/sources.py — the same dicts Elasticsearch receives. `PendingUpdate` is the outbox: a row is written in the
same transaction as the change that caused it, and deleted only once both the table and Elasticsearch have it.
"""

from django.db import models


class SearchDocument(models.Model):
    key = models.CharField(max_length=64, unique=True)  # "<type>-<pk>"
    doc_type = models.CharField(max_length=20, db_index=True)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    date = models.DateTimeField(null=True, blank=True, db_index=True)
    region = models.CharField(max_length=3, blank=True, db_index=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    consultation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    section_id = models.BigIntegerField(null=True, blank=True)
    stance = models.CharField(max_length=10, blank=True)
    # Normalised stems (search.text.normalise) of title (twice: a cheap title boost) and body.
    search_text = models.TextField(blank=True)
    title_text = models.CharField(max_length=400, blank=True)

    class Meta:
        indexes = [models.Index(fields=["doc_type", "date"], name="searchdoc_type_date")]

    def __str__(self):
        return self.key


class PendingUpdate(models.Model):
    key = models.CharField(max_length=64, unique=True)
    doc_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return self.key


class DocumentTheme(models.Model):
    """Themes of a document, one row each (facet counts and filters without parsing strings)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="theme_rows")
    slug = models.CharField(max_length=120, db_index=True)
    name = models.CharField(max_length=120)

    def __str__(self):
        return self.slug
