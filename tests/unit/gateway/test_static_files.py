"""Static files through werkzeug's send_from_directory: conditional requests, our
caching policy and types, nosniff, and no way out of the folders."""


def test_static_file_conditional_requests_keep_the_policy(client):
    r = client.get("/static/js/api.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["ETag"] and r.headers["Last-Modified"]
    again = client.get("/static/js/api.js", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "no-cache"
    since = client.get("/static/js/api.js",
                       headers={"If-Modified-Since": r.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get("/static/js/api.js", headers={"If-None-Match": '"not-it"'})
    assert stale.status_code == 200 and stale.data == r.data


def test_shells_are_revalidated_too(client):
    r = client.get("/staff")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Cache-Control"] == "no-cache"
    assert client.get("/staff", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_nothing_outside_the_folders_nor_hidden(client):
    for path in ("/static/../routes/web.py", "/static/%2e%2e/routes/web.py", "/static/.git",
                 "/static/js/..%2f..%2froutes/web.py", "/static/vendor/swagger-ui/../__init__.py",
                 "/static/vendor/swagger-ui/swagger-initializer.js", "/static/nope.js",
                 "/static/js"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json["error"] == "not_found", path


def test_vendored_swagger_ui_is_served_with_its_types(client):
    css = client.get("/static/vendor/swagger-ui/swagger-ui.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == "no-cache"
