from consult import services


def test_smoke(alice, bob, section, contribution_factory, mailoutbox, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        c = contribution_factory(alice, section)
        contribution_factory(bob, section, parent=c)
    c.refresh_from_db()
    assert c.replies_count == 1
    services.vote(bob, c, 1)
    c.refresh_from_db()
    assert c.votes_up == 1
    assert len(mailoutbox) == 3
    consultation = section.page
    r = client.get(consultation.get_parent().url)
    assert r.status_code == 200, r.content
    r = client.get(consultation.url)
    assert r.status_code == 200, r.content
    r = client.get(c.get_absolute_url())
    assert r.status_code == 200, r.content
    print(r.content.decode()[-6000:])
