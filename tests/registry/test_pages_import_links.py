"""A list page offers its import exactly to those the import page lets in."""

IMPORT_PROVIDERS = "/registry/import/providers/"
IMPORT_ENTERPRISES = "/registry/import/enterprises/"


def test_the_manager_is_offered_both_imports(login, manager):
    client = login(manager)
    assert IMPORT_PROVIDERS in client.get("/registry/providers/").content.decode()
    assert IMPORT_ENTERPRISES in client.get("/registry/enterprises/").content.decode()
    assert "/registry/import/" in client.get("/").content.decode()


def test_the_officer_is_offered_only_the_enterprise_import(login, officer):
    client = login(officer)
    assert IMPORT_PROVIDERS not in client.get("/registry/providers/").content.decode()
    assert IMPORT_ENTERPRISES in client.get("/registry/enterprises/").content.decode()
    assert client.get(IMPORT_PROVIDERS).status_code == 403


def test_the_auditor_and_evaluator_are_offered_no_import(login, auditor, evaluator):
    for user in (auditor, evaluator):
        client = login(user)
        home = client.get("/").content.decode()
        assert "/registry/import/" not in home
        assert client.get("/registry/import/").status_code == 403
