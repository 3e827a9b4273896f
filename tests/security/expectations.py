"""Who may use which route: route name → method → role → outcome ("ok", "login", "403", "404", "405").

Roles: anonymous; citizen (a signed-in person with no organisation); member_a (plain member of the verified
Association A, whose admin owns the application and the laureate of the fixtures); member_b (admin of
Association B); moderator, reviewer (assigned to A's application), editor (staff groups of accounts.roles).
Objects: tests/security/test_authorisation.py::world. GET is checked for every route; POST (empty form, each
in a rolled-back savepoint) for the routes that change state. Outcomes: "ok", "refused" (sent back with an error
message), "login", "400", "403", "404", "405", "409" (see test_authorisation.py).

404 rather than 403 is deliberate where the existence of an object is private (applications, attachments).
"""

ROLES = ("anonymous", "citizen", "member_a", "member_b", "moderator", "reviewer", "editor")

# Not in the matrix, with the reason:
EXCLUDED_PREFIXES = (
    "admin/",  # Wagtail admin: its own permission system (tested coarsely in test_headers.py: non-staff refused)
    "django-admin/",  # Django admin: superusers only (coarse check in test_headers.py)
    "_util/",  # Wagtail's private-page password/login forms (Wagtail internals)
    "documents/authenticate_with_password/",  # Wagtail internals
)
EXCLUDED_NAMES = (
    "account_",  # django-allauth's views (login, sign-up, password reset…): allauth's own test suite
)


def same(outcome):
    return {role: outcome for role in ROLES}


def anon(outcome_anonymous, others):
    return {"anonymous": outcome_anonymous, **{role: others for role in ROLES[1:]}}


EXPECTATIONS = {
    "accounts:delete_account": {"GET": anon("login", "ok"), "POST": anon("login", "ok")},
    "accounts:download_data": {"GET": anon("login", "ok")},
    "accounts:invitation_accept": {"GET": anon("login", "ok"), "POST": anon("login", "ok")},
    "accounts:organisation_create": {"GET": anon("login", "ok"), "POST": anon("login", "ok")},
    "accounts:organisation_detail": {"GET": same("ok")},
    # organisation admins only (member_a is a plain member); staff edit in the Wagtail admin
    "accounts:organisation_edit": {"GET": anon("login", "403"), "POST": anon("login", "403")},
    "accounts:organisation_invite": {"GET": anon("login", "405"), "POST": anon("login", "403")},
    # a member may leave (member_a removes itself); others: admins only
    "accounts:organisation_remove_member": {
        "GET": anon("login", "405"),
        "POST": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "ok",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "403",
            "editor": "403",
        },
    },
    "accounts:profile": {"GET": anon("login", "ok"), "POST": anon("login", "ok")},
    "consult:api_consultation": {"GET": same("ok")},
    "consult:api_consultations": {"GET": same("ok")},
    "consult:api_contributions": {"GET": same("ok")},
    "consult:api_sections": {"GET": same("ok")},
    "consult:contribution_fragment": {"GET": same("ok")},
    "consult:contributions_atom": {"GET": same("ok")},
    "consult:contributions_rss": {"GET": same("ok")},
    # author only, within the edit window (others are sent back with a message); empty POST = 400
    "consult:edit": {"GET": anon("login", "refused"), "POST": anon("login", "400")},
    "consult:events": {"GET": same("ok")},
    "consult:export": {"GET": same("ok")},
    # moderators and editors
    "consult:export_staff": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "ok",
            "reviewer": "403",
            "editor": "ok",
        }
    },
    "consult:feed_atom": {"GET": same("ok")},
    "consult:feed_rss": {"GET": same("ok")},
    "consult:flag": {"GET": anon("login", "ok"), "POST": anon("login", "400")},
    "consult:follow": {"GET": same("405"), "POST": anon("login", "refused")},
    "consult:post": {"GET": same("405"), "POST": anon("login", "400")},
    "consult:reply": {"GET": anon("login", "ok"), "POST": anon("login", "400")},
    "consult:section": {"GET": same("ok")},
    "consult:statistics": {"GET": same("ok")},
    # POST only; anonymous and invalid votes are sent back with a message
    "consult:vote": {"GET": same("405"), "POST": same("refused")},
    # author only
    "consult:withdraw": {"GET": anon("login", "refused"), "POST": anon("login", "refused")},
    "healthz": {"GET": same("ok")},
    "livinglabs:contact": {"GET": same("405"), "POST": same("400")},
    "livinglabs:dcat": {"GET": same("ok")},
    "livinglabs:export": {"GET": same("ok")},
    "livinglabs:list": {"GET": same("ok")},
    "livinglabs:map_json": {"GET": same("ok")},
    "livinglabs:mine": {"GET": anon("login", "ok")},
    "livinglabs:propose": {"GET": anon("login", "ok"), "POST": anon("login", "ok")},
    "livinglabs:statistics": {"GET": same("ok")},
    # the person who declared the lab (citizen in the fixture); 404 for everyone else
    "livinglabs:update": {
        "GET": {
            "anonymous": "login",
            "citizen": "ok",
            "member_a": "404",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "404",
            "editor": "404",
        },
        "POST": {
            "anonymous": "login",
            "citizen": "ok",
            "member_a": "404",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "404",
            "editor": "404",
        },
    },
    # the signed token is the credential (e-mailed to the lab's contact)
    "livinglabs:verify": {"GET": same("ok"), "POST": same("ok")},
    # applicant organisation, assigned reviewer, editors; 404 hides existence
    "projects:application_detail": {
        "GET": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "ok",
            "editor": "ok",
        }
    },
    "projects:application_recap": {
        "GET": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "ok",
            "editor": "ok",
        }
    },
    "projects:attachment_delete": {
        "GET": anon("login", "405"),
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "refused",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "refused",
            "editor": "refused",
        },
    },
    # same as the application; tests/security/test_uploads.py checks headers
    "projects:attachment_download": {
        "GET": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "ok",
            "editor": "ok",
        }
    },
    "projects:attestation": {"GET": anon("login", "404")},
    "projects:autosave": {
        "GET": anon("login", "405"),
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "409",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "409",
            "editor": "409",
        },
    },
    "projects:dashboard": {"GET": anon("login", "ok")},
    "projects:decision_letter": {"GET": anon("login", "404")},
    "projects:laureate_detail": {"GET": same("ok")},
    "projects:laureates": {"GET": same("ok")},
    # reviewers
    "projects:my_reviews": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "ok",
            "editor": "403",
        }
    },
    "projects:open_data": {"GET": same("ok")},
    "projects:post_message": {
        "GET": anon("login", "405"),
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "refused",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "404",
            "editor": "refused",
        },
    },
    "projects:receipt": {
        "GET": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "404",
            "editor": "404",
        }
    },
    "projects:resubmit": {
        "GET": anon("login", "405"),
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "refused",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "refused",
            "editor": "refused",
        },
    },
    # the assigned reviewer only
    "projects:review": {
        "GET": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "404",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "ok",
            "editor": "404",
        },
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "404",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "ok",
            "editor": "404",
        },
    },
    # editors (instruction staff)
    "projects:staff_application": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "403",
            "editor": "ok",
        },
        "POST": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "403",
            "editor": "refused",
        },
    },
    "projects:staff_call": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "403",
            "editor": "ok",
        }
    },
    "projects:staff_export": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "403",
            "editor": "ok",
        }
    },
    # reviewers and editors
    "projects:staff_home": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "ok",
            "editor": "ok",
        }
    },
    "projects:staff_ranking": {
        "GET": {
            "anonymous": "login",
            "citizen": "403",
            "member_a": "403",
            "member_b": "403",
            "moderator": "403",
            "reviewer": "403",
            "editor": "ok",
        }
    },
    "projects:start": {"GET": anon("login", "ok"), "POST": anon("login", "ok")},
    # applicant organisation only
    "projects:step": {
        "GET": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "404",
            "editor": "404",
        },
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "404",
            "editor": "404",
        },
    },
    # applicant organisation (its members); staff are refused by the service
    "projects:withdraw": {
        "GET": anon("login", "405"),
        "POST": {
            "anonymous": "login",
            "citizen": "404",
            "member_a": "ok",
            "member_b": "404",
            "moderator": "404",
            "reviewer": "refused",
            "editor": "refused",
        },
    },
    "robots_txt": {"GET": same("ok")},
    "search:results": {"GET": same("ok")},
    "search:suggestions": {"GET": same("ok")},
    "set_language": {"GET": same("ok"), "POST": same("ok")},
    "site_plan": {"GET": same("ok")},
    "sitemap": {"GET": same("ok")},
    "wagtail_serve": {"GET": same("ok")},
    "wagtaildocs_serve": {"GET": same("ok")},
}

# Socket routes (config.routing.websocket_urlpatterns): anyone may watch a published consultation (writing goes
# through HTTP); unknown or unpublished consultations close with 4404. Origin is checked in config/asgi.py
# (tests/consult/test_websockets.py::test_a_foreign_origin_is_refused).
SOCKET_EXPECTATIONS = {
    "ws/consultations/<int:consultation_id>/": {
        "open consultation": same("ok"),
        "unpublished consultation": same("4404"),
        "unknown consultation": same("4404"),
    },
}
