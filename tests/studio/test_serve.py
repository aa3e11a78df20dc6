"""The served studio over plain HTTP: a login is required with --auth, and uploads are capped.

Starts `studio.app.launch(..., auth="user:pw", upload_limit_mb=1)` on a free port of 127.0.0.1
(about 10 s) and talks to it with httpx; no browser.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import studio_process
from tests.conftest import wait_for


@pytest.fixture
def served(workspace, tmp_path):
    kwargs = {"auth": "user:pw", "upload_limit_mb": 1}
    with studio_process(workspace.root, tmp_path / "studio-serve.log", launch_kwargs=kwargs) as url:
        yield url.rstrip("/"), workspace


def test_login_is_required_and_works(served, tmp_path):
    import httpx

    url, _ = served
    # The terminal says where the studio is, in one line of ours; none of gradio's lines for its own apps
    # ("To create a public link, set `share=True`"): the studio listens on 127.0.0.1 by design.
    log = tmp_path / "studio-serve.log"
    printed = wait_for(lambda: "Studio running on" in log.read_text() and log.read_text(), 30, "the start-up line")
    assert f"Studio running on {url}\n" in printed, printed
    assert "share=True" not in printed and "Running on local URL" not in printed, printed
    with httpx.Client(timeout=20) as anon:
        assert anon.get(f"{url}/config").status_code == 401
        assert anon.get(f"{url}/gradio_api/info").status_code == 401
        page = anon.get(f"{url}/")
        assert "Fine-tuning Studio" not in page.text  # the login page, not the app
        upload = anon.post(f"{url}/gradio_api/upload", files={"files": ("a.jsonl", b"{}\n")})
        assert upload.status_code == 401
        assert anon.post(f"{url}/login", data={"username": "user", "password": "wrong"}).status_code == 400

    with httpx.Client(timeout=20) as user:
        login = user.post(f"{url}/login", data={"username": "user", "password": "pw"})
        assert login.status_code == 200 and login.json() == {"success": True}
        config = user.get(f"{url}/config")
        assert config.status_code == 200 and "Fine-tuning Studio" in config.text


def test_uploads_are_capped_and_saved_under_plain_names(served):
    import httpx

    from studio.wizard.uploads import save_upload

    url, workspace = served
    with httpx.Client(timeout=30) as user:
        assert user.post(f"{url}/login", data={"username": "user", "password": "pw"}).status_code == 200
        big = user.post(f"{url}/gradio_api/upload", files={"files": ("big.jsonl", b"x" * (1024 * 1024 + 10))})
        assert big.status_code == 413 and "maximum allowed size" in big.text

        row = b'{"instruction": "hi", "output": "hello"}\n'
        for name in ("../../evil.jsonl", "/etc/evil.jsonl", "..\\..\\evil.jsonl"):
            sent = user.post(f"{url}/gradio_api/upload", files={"files": (name, row)})
            assert sent.status_code == 200, sent.text
            (tmp_file,) = sent.json()
            rel = save_upload(workspace, tmp_file)
            assert rel.startswith("uploads/evil") and "/" not in rel.removeprefix("uploads/"), rel
            assert (workspace.uploads_dir / rel.removeprefix("uploads/")).read_bytes() == row
    assert sorted(p.name for p in workspace.uploads_dir.iterdir()) == ["evil-1.jsonl", "evil-2.jsonl", "evil.jsonl"]
