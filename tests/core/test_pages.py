import pytest

pytestmark = pytest.mark.django_db


def test_home_page_renders_in_dsfr_with_main_navigation(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="fr-header"' in html
    assert "Ministère<br>chargé<br>de la santé" in html
    for label in ("Consultations", "Appels à projets", "Living labs", "Rechercher"):
        assert label in html
    assert 'href="#content"' in html  # skip link


def test_footer_carries_the_mandatory_links(client, home_page):
    html = client.get("/").content.decode()
    for href in ("/accessibilite/", "/mentions-legales/", "/donnees-personnelles/", "/plan-du-site/"):
        assert f'href="{href}"' in html


def test_unknown_page_gets_the_dsfr_404(client, home_page):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_robots_txt_points_to_the_sitemap(client, home_page):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_sitemap_lists_the_home_page(client, home_page):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert b"<urlset" in response.content


def test_language_switch_renders_the_interface_in_english(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html and "Calls for projects" in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr"' in client.get("/").content.decode()


def test_responses_carry_a_strict_content_security_policy(client, home_page):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_the_site_answers_in_french_even_to_an_english_browser(client, home_page):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="fr"' in response.content.decode()
    assert response["Content-Language"] == "fr"


def test_home_teasers_are_cached_but_refreshed_when_a_page_is_published(
    client, home_page, django_assert_max_num_queries
):
    from core.models import NewsIndexPage, NewsPage

    index = NewsIndexPage(title="Actualités", slug="actualites")
    home_page.add_child(instance=index)
    client.get("/")
    with django_assert_max_num_queries(10):
        client.get("/")
    news = NewsPage(title="Nouvelle consultation ouverte", slug="nouvelle", intro="Participez.")
    index.add_child(instance=news)
    news.save_revision().publish()
    assert "Nouvelle consultation ouverte" in client.get("/").content.decode()
