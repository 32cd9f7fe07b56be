"""Regenerate dataset/sheets/glyphs.json: Pillow's default font as 1-bit glyphs, so the contact
sheet and latent plot can write their captions where Pillow is missing (Blender's own Python)."""

import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[2] / "dataset" / "sheets" / "glyphs.json"
font = ImageFont.load_default_imagefont()  # the crisp bitmap font, not FreeType
ascent, descent = 11, 3  # a cell tall enough for every glyph of the default font
glyphs = {}
for code in range(32, 127):
    char = chr(code)
    width = max(1, round(font.getlength(char)))
    image = Image.new("L", (width, ascent + descent), 0)
    ImageDraw.Draw(image).text((0, 0), char, fill=255, font=font)
    rows = [int("".join("1" if image.getpixel((x, y)) >= 128 else "0" for x in range(width)), 2)
            for y in range(ascent + descent)]
    glyphs[char] = {"width": width, "rows": rows}
OUT.write_text(json.dumps({"height": ascent + descent, "glyphs": glyphs}, separators=(",", ":"))
               + "\n")
print(f"wrote {OUT}")
