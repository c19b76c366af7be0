"""The self-assessment walked in a real browser (Playwright driving Debian's Chromium), in Korean, start to result:
a hub runs as a process and hosts a company's connector; its administrator signs in to the hosted portal, starts
the assessment, answers a section and a half, leaves, comes back to where the answers stop, finishes, and reads the
result. The page needs nothing the Content-Security-Policy refuses.

The result page is then compared with a reference image kept in the repository (``tests/screenshots/``): the same
answers, window and fonts make the same page, the moments on it masked (they are the day the test runs). Pixels
are decoded and compared by Chromium itself (a canvas), as Pillow is no dependency of the project. To make the
reference again after an intended change of the page: ``SANGSAENG_UPDATE_SCREENSHOTS=1 pytest -p no:xdist
tests/test_portal_assessment_browser.py``, then look at the new PNG before committing it. The image of each run,
and where it differs a map of the differing pixels, go to ``.artifacts/assessment/``."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.launch import HubProcess, free_port
from sangsaeng.settings import Settings
from tests.conftest import IN_CI
from tests.hosting_space import facts
from tests.test_hub_e2e import sangsaeng
from tests.test_portal_browser import browser, refusals  # noqa: F401  (the module's Chromium, one per module)

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ARTIFACTS = Path(os.environ.get("SANGSAENG_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts"))
SHOTS = ARTIFACTS / "assessment"
REFERENCE = Path(__file__).parent / "screenshots" / "assessment-result-ko.png"
UPDATE = os.environ.get("SANGSAENG_UPDATE_SCREENSHOTS") == "1"
WINDOW = {"width": 1280, "height": 900}
PASSWORD = "두리금속 비밀번호 2026"
ADMIN = "박대표"
# A pixel differs when a colour channel moved by more than this (font smoothing moves a few by less);
# the page matches when at most this share of its pixels differ.
CHANNEL = 32
SHARE = 0.005
# The band each of the 16 dimensions is answered for, in the model's order: a chart with a shape to see.
TARGETS = (3, 2, 4, 3, 1, 2, 3, 4, 2, 3, 3, 1, 4, 2, 3, 2)

# Decodes two PNGs in the page and counts the pixels that differ; draws those red on a map of the first.
COMPARE = """async ([a, b, channel]) => {
  const load = src => new Promise((done, fail) => {
    const image = new Image(); image.onload = () => done(image); image.onerror = fail; image.src = src; });
  const [one, two] = await Promise.all([load(a), load(b)]);
  const size = {a: [one.naturalWidth, one.naturalHeight], b: [two.naturalWidth, two.naturalHeight]};
  if (size.a[0] !== size.b[0] || size.a[1] !== size.b[1]) return {size, differ: null, map: null};
  const pixels = image => {
    const canvas = document.createElement("canvas");
    canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
    const context = canvas.getContext("2d"); context.drawImage(image, 0, 0);
    return [canvas, context, context.getImageData(0, 0, canvas.width, canvas.height)];
  };
  const [canvas, context, first] = pixels(one);
  const second = pixels(two)[2];
  let differ = 0;
  for (let i = 0; i < first.data.length; i += 4) {
    let moved = false;
    for (let c = 0; c < 3; c++) if (Math.abs(first.data[i + c] - second.data[i + c]) > channel) moved = true;
    if (moved) { differ++; first.data[i] = 255; first.data[i + 1] = 0; first.data[i + 2] = 0; }
  }
  context.putImageData(first, 0, 0);
  return {size, differ, map: differ ? canvas.toDataURL("image/png") : null};
}"""

# The share of an image's pixels that are not (nearly) white: a chart drawn, not an empty box.
INKED = """async src => {
  const image = await new Promise((done, fail) => {
    const i = new Image(); i.onload = () => done(i); i.onerror = fail; i.src = src; });
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d"); context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) inked++;
  return inked / (data.length / 4);
}"""


def png_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def korean_fonts() -> bool:
    listed = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def plan(asked: dict[str, Any]) -> dict[str, str]:
    """Each question's answer: its least advanced option that supports its dimension's target band."""
    target = {d["id"]: band for d, band in zip(asked["dimensions"], TARGETS, strict=True)}
    return {
        q["id"]: next(o["id"] for o in q["options"] if o["band"] >= target[q["dimension"]]) for q in asked["questions"]
    }


def answer_section(page, answers: dict[str, str], leave: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    """Check the planned option of each question on the page (all but the last ``leave``): their ids."""
    ids = [i.removeprefix("q-") for i in page.locator("fieldset").evaluate_all("fs => fs.map(f => f.id)")]
    for question in ids[: len(ids) - leave]:
        page.check(f'input[id="{question}--{answers[question]}"]')
    return ids


def test_the_assessment_walked_in_korean_from_start_to_result_and_its_result_page_looks_as_kept(  # type: ignore[no-untyped-def]
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    if not korean_fonts():
        if IN_CI:
            pytest.fail("Korean fonts are required in CI (make installs them: apt-get install -y fonts-noto-cjk)")
        pytest.skip("no Korean font (fc-list :lang=ko is empty): the page would not be the one kept")
    SHOTS.mkdir(parents=True, exist_ok=True)
    hub_dir, port = tmp_path / "hub", free_port()
    sangsaeng("hub", "init", "--name", "상생 허브", "--port", str(port), "--data-dir", str(hub_dir), "--en")
    hub = HubProcess(hub_dir, port).start()
    try:
        key = Settings(data_dir=hub_dir).api_key.get_secret_value()
        body = {"company": facts("두리금속"), "name": "dure", "admin": {"name": ADMIN, "password": PASSWORD}}
        made = httpx.post(f"{hub.url}/hub/hosted", json=body, headers={"X-API-Key": key}, timeout=30)
        assert made.status_code == 201, made.text
        asked = httpx.get(f"{hub.url}/hub/support/assessment/questionnaire", params={"lang": "ko"}).json()
        answers = plan(asked)
        start = made.json()["portal"] + "support/assessment"

        context = browser.new_context(locale="ko-KR", viewport=WINDOW, device_scale_factor=1)
        page = context.new_page()
        refused = refusals(page)
        page.goto(start)
        assert page.url.endswith("/c/dure/portal/login")
        page.fill("#name", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(start)
        assert page.inner_text("#start") == "자가진단 시작"

        # A section and a half, then "save and carry on later".
        page.click("#start")
        assert "1 / 5 구간" in page.inner_text("#walk h2")
        first = answer_section(page, answers)
        page.screenshot(path=str(SHOTS / "walk-1-ko.png"), full_page=True)
        page.click("#next")
        assert "2 / 5 구간" in page.inner_text("#walk h2")
        second = answer_section(page, answers, leave=2)
        page.click("#save")
        page.screenshot(path=str(SHOTS / "saved-ko.png"), full_page=True)
        saved = len(first) + len(second) - 2
        assert page.inner_text("#draft").startswith(f"진행 중인 진단: {saved} / {len(answers)}")

        # Coming back resumes on section 2 with its answers checked; on to the end and finish.
        page.click("#start")
        assert "2 / 5 구간" in page.inner_text("#walk h2")
        assert page.is_checked(f'input[id="{second[0]}--{answers[second[0]]}"]')
        answer_section(page, answers)
        page.click("#next")
        while page.locator("#finish").count() == 0:
            answer_section(page, answers)
            page.click("#next")
        answer_section(page, answers)
        page.click("#finish")

        # The result page, in Korean, with its chart drawn.
        assert "/portal/support/assessment/" in page.url and "/answer" not in page.url
        assert "(레벨 " in page.inner_text("#level")
        assert page.locator("#dimensions tbody tr").count() == 16
        assert page.locator("#radar svg line.axis").count() == 16
        assert refused == [], refused
        radar = page.locator("#radar svg").screenshot()
        inked = page.evaluate(INKED, png_url(radar))
        assert 0.03 < inked < 0.6, inked  # drawn, and not a filled block

        shot = page.screenshot(
            full_page=True, animations="disabled", mask=[page.locator("time"), page.locator("#radar svg .legend")]
        )
        (SHOTS / "result-ko.png").write_bytes(shot)
        if UPDATE:
            REFERENCE.parent.mkdir(parents=True, exist_ok=True)
            REFERENCE.write_bytes(shot)
        assert REFERENCE.is_file(), f"no reference image: make it with SANGSAENG_UPDATE_SCREENSHOTS=1 ({REFERENCE})"
        blank = context.new_page()  # the comparison runs on a page of its own, away from the portal's policy
        compared = blank.evaluate(COMPARE, [png_url(REFERENCE.read_bytes()), png_url(shot), CHANNEL])
        assert compared["size"]["a"] == compared["size"]["b"], (
            f"the result page is {compared['size']['b']} pixels, the reference {compared['size']['a']}: "
            f"see {SHOTS / 'result-ko.png'}"
        )
        width, height = compared["size"]["a"]
        if compared["map"]:
            (SHOTS / "result-ko-differs.png").write_bytes(base64.b64decode(compared["map"].split(",", 1)[1]))
        share = compared["differ"] / (width * height)
        assert share <= SHARE, f"{share:.2%} of the pixels differ from the reference: see {SHOTS}"
        context.close()
    finally:
        hub.stop()
