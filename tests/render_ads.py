"""Job ads rendered into images the way they travel on social media: posters and screenshots."""

from __future__ import annotations

import io
import random
import subprocess
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

_FAMILY = {"en": "Noto Sans", "vi": "Noto Sans", "id": "Noto Sans", "ms": "Noto Sans", "tl": "Noto Sans",
           "zh": "Noto Sans CJK SC", "th": "Noto Sans Thai", "my": "Noto Sans Myanmar", "km": "Noto Sans Khmer",
           "lo": "Noto Sans Lao"}


@lru_cache(maxsize=None)
def font_path(lang: str) -> str:
    out = subprocess.run(["fc-match", "-f", "%{file}", _FAMILY[lang]], capture_output=True, text=True).stdout
    return out.strip()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int, lang: str) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        units = list(para) if lang in ("zh",) else para.split(" ") if lang not in ("th", "lo", "km", "my") else None
        if units is None:  # scripts without spaces between words: wrap by characters, at cluster edges
            units = []
            for ch in para:
                if units and (ch in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c" or
                              "\u0e80" <= ch <= "\u0eff" and ch in "\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9\u0ebb\u0ec8\u0ec9\u0eca\u0ecb\u0ecc" or
                              "\u17b4" <= ch <= "\u17d3" or "\u102b" <= ch <= "\u103e"):
                    units[-1] += ch
                else:
                    units.append(ch)
            sep = ""
        else:
            sep = "" if lang == "zh" else " "
        line = ""
        for u in units:
            trial = f"{line}{sep}{u}" if line else u
            if draw.textlength(trial, font=font) > width and line:
                lines.append(line)
                line = u
            else:
                line = trial
        lines.append(line)
    return lines


def render(text: str, lang: str, width: int = 1080, style: str = "poster", noise: float = 0.0,
           seed: int = 0) -> bytes:
    """PNG bytes of ``text``: "poster" (title band, large type, colours) or "screenshot" (chat bubble)."""
    rng = random.Random(seed)
    size = 44 if style == "poster" else 32
    font = ImageFont.truetype(font_path(lang), size)
    title_font = ImageFont.truetype(font_path(lang), int(size * 1.3))
    probe = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    margin = 60
    body_lines = _wrap(probe, text, font, width - 2 * margin, lang)
    line_h = int(size * 1.6)
    title, body = (body_lines[0], body_lines[1:]) if style == "poster" and len(body_lines) > 1 else ("", body_lines)
    height = margin * 2 + (int(line_h * 1.5) if title else 0) + line_h * len(body) + 20
    bg = (255, 250, 235) if style == "poster" else (230, 235, 240)
    img = Image.new("RGB", (width, max(height, 200)), bg)
    d = ImageDraw.Draw(img)
    y = margin
    if title:
        d.rectangle([0, y - 20, width, y + int(line_h * 1.3)], fill=(200, 30, 40))
        d.text((margin, y), title, font=title_font, fill=(255, 255, 255))
        y += int(line_h * 1.5)
    if style == "screenshot":
        d.rounded_rectangle([margin - 25, y - 15, width - margin + 25, y + line_h * len(body) + 10], radius=25,
                            fill=(255, 255, 255))
    for line in body:
        d.text((margin, y), line, font=font, fill=(20, 20, 20))
        y += line_h
    if noise > 0:
        px = img.load()
        for _ in range(int(img.width * img.height * noise)):
            x, yy = rng.randrange(img.width), rng.randrange(img.height)
            v = rng.randrange(256)
            px[x, yy] = (v, v, v)
        img = img.filter(ImageFilter.GaussianBlur(0.4))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
