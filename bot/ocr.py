"""Reading job ads in images (posters, screenshots) with Tesseract, off the event loop.

Tesseract reads one script far better when told which: the script is detected first (Tesseract's OSD),
then the text is read with that script's language plus English (posters mix in English); without a
confident detection the user's own language is used. Images are handled in memory and never written to
disk by SafeJob; Tesseract gets them on standard input.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["OcrResult", "OcrUnavailable", "ocr_available", "read_image", "languages_for", "MAX_IMAGE_BYTES"]

MAX_IMAGE_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 20.0

# Tesseract language packs per SafeJob language and per script Tesseract's OSD reports.
_LANG_PACKS = {"en": ["eng"], "zh": ["chi_sim"], "th": ["tha"], "vi": ["vie"], "id": ["ind"],
               "ms": ["msa"], "tl": ["fil"], "my": ["mya"], "km": ["khm"], "lo": ["lao"]}
_SCRIPT_PACKS = {"Thai": ["tha"], "Han": ["chi_sim"], "HanS": ["chi_sim"], "HanT": ["chi_tra"],
                 "Myanmar": ["mya"], "Khmer": ["khm"], "Lao": ["lao"]}
_LATIN_PACKS = {"vi": ["vie"], "id": ["ind"], "ms": ["msa"], "tl": ["fil"]}


# Tesseract's OpenMP threads spin against each other on a small machine (and against the bot): one
# thread per image is several times faster here, and leaves the other core to the bot.
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class OcrUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class OcrResult:
    text: str
    languages: str
    script: str | None


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None and bool(installed_packs())


@lru_cache(maxsize=1)
def installed_packs() -> frozenset[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def languages_for(user_lang: str, script: str | None) -> str:
    """Tesseract's ``-l`` value: the detected script's language and the user's own, plus English.

    Detection alone misleads: Tesseract's OSD calls Lao "Thai" and sometimes a Thai chat screenshot
    "Latin", so the user's language is always among the candidates.
    """
    if script == "Thai" and user_lang == "lo":
        script = "Lao"
    packs: list[str] = []
    if script in _SCRIPT_PACKS:
        packs += _SCRIPT_PACKS[script]
    elif script == "Latin":
        packs += _LATIN_PACKS.get(user_lang, [])
    packs += _LANG_PACKS.get(user_lang, [])
    if not any(p.startswith("chi_") for p in packs):
        packs.append("eng")  # posters mix in English; Chinese packs read Latin text well enough and are slower
    have = installed_packs()
    chosen = [p for i, p in enumerate(packs) if p in have and p not in packs[:i]]
    if "eng" in chosen and chosen[0] == "eng" and len(chosen) > 1:
        chosen = chosen[1:] + ["eng"]
    return "+".join(chosen or ["eng"])


def _detect_script(image: bytes, timeout: float) -> str | None:
    if "osd" not in installed_packs():
        return None
    try:
        p = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0"], input=image, capture_output=True,
                           timeout=timeout, env=_ENV)
    except subprocess.TimeoutExpired:
        return None
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"Script:\s*(\w+)", out)
    conf = re.search(r"Script confidence:\s*([\d.]+)", out)
    if m and conf and float(conf.group(1)) >= 1.0:
        return m.group(1)
    return None


def read_image(image: bytes, user_lang: str = "en", timeout: float = TIMEOUT_SECONDS) -> OcrResult:
    """The text of an image. Blocking: call it in a worker thread. Raises OcrUnavailable or TimeoutError."""
    if not ocr_available():
        raise OcrUnavailable("tesseract is not installed")
    if len(image) > MAX_IMAGE_BYTES:
        raise ValueError("image too large")
    script = _detect_script(image, timeout / 3)
    langs = languages_for(user_lang, script)
    try:
        p = subprocess.run(["tesseract", "stdin", "stdout", "-l", langs, "--psm", "3"], input=image,
                           capture_output=True, timeout=timeout, env=_ENV)
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError("OCR took too long") from exc
    text = p.stdout.decode("utf-8", "replace")
    # Tesseract separates Chinese/Thai characters with spaces; join runs that have no business being split.
    text = re.sub(r"(?<=[\u0e00-\u0eff\u3400-\u9fff]) (?=[\u0e00-\u0eff\u3400-\u9fff])", "", text)
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return OcrResult(text=text, languages=langs, script=script)
