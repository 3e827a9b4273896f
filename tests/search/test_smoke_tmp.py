from search import service
from tests.search.conftest import SECRET


def test_smoke(engine, corpus):
    r = service.search("hôpital")
    print(engine, r.total, [(h.doc_type, h.title, str(h.excerpt_html)) for h in r.hits])
    r = service.search(SECRET)
    assert r.total == 0, [(h.doc_type, h.title) for h in r.hits]
    r = service.search("")
    print([(f.name, [(v.value, v.count) for v in f.values]) for f in r.facets])
