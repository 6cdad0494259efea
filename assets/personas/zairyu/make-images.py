#!/usr/bin/python3
"""Draws the pictures the emulator's 在留カード personas carry: the name and address images of a
second-generation card (MMR, i.e. CCITT Group 4, TIFF as the chip stores them), the front side
of a first-generation card, and a stand-in face (JPEG 2000, a grey gradient, no person).
Fictional people only. Run once with Debian's python3-pil; the files are kept in the repository.
"""
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def text_image(path, lines, size, width, height):
    font = ImageFont.truetype(FONT, size, index=0)
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    y = 4
    for line in lines:
        draw.text((8, y), line, font=font, fill=0)
        y += int(size * 1.35)
    image.save(path, compression="group4", dpi=(200, 200))


def face(path):
    image = Image.new("L", (96, 120))
    for y in range(120):
        for x in range(96):
            image.putpixel((x, y), 80 + (x + y) % 120)
    image.convert("RGB").save(path, quality_mode="rates", quality_layers=[80])


text_image("nguyen-name.tif", ["NGUYEN THI LAN"], 34, 640, 56)
text_image("nguyen-address.tif", ["東京都新宿区西新宿二丁目８番１号"], 30, 640, 56)
text_image("kim-name.tif", ["KIM YOUNG SOOK", "金　英淑"], 30, 640, 96)
text_image("kim-address.tif", ["大阪府大阪市生野区桃谷三丁目１番２号"], 30, 640, 56)
text_image(
    "santos-front.tif",
    [
        "在留カード　番号 AB98765432CD",
        "氏名 SANTOS PEREIRA JOAO",
        "生年月日 1984年07月21日 男 M",
        "国籍・地域 ブラジル",
        "住居地 愛知県豊田市若宮町一丁目５７番地１",
        "在留資格 定住者",
        "在留期間(満了日) 3年 (2028年05月10日)",
        "就労制限の有無 就労制限なし",
        "このカードは 2028年05月10日まで有効です。",
    ],
    26,
    860,
    320,
)
face("face.jp2")
