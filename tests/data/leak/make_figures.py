"""Writes the leak corpus's figures (run once; the files are committed): a PNG whose tEXt, zTXt and
iTXt chunks name the authors, and a JPEG whose EXIF (Artist, Copyright, XPAuthor) and comment do."""

from pathlib import Path

from PIL import Image, PngImagePlugin

FIGURES = Path(__file__).parent / "project" / "figures"

png = Image.new("RGB", (600, 300), (240, 240, 250))
info = PngImagePlugin.PngInfo()
info.add_text("Author", "Bartholomew Quince")
info.add_text("Comment", "contact b.quince@lantern-institute.example", zip=True)
info.add_itxt("Copyright", "Lantern Institute of Cognition", zip=True)
png.save(FIGURES / "density.png", pnginfo=info, dpi=(300, 300))

jpeg = Image.new("RGB", (600, 300), (200, 220, 200))
exif = Image.Exif()
exif[0x013B] = "Wilhelmina Oakenshield"  # Artist
exif[0x8298] = "Dunmere College of Science"  # Copyright
exif[0x9C9D] = "Wilhelmina Oakenshield".encode("utf-16-le")  # XPAuthor (UTF-16)
jpeg.save(FIGURES / "oakenshield-lab-photo.jpg", exif=exif.tobytes(), dpi=(300, 300),
          comment=b"photo by w.oakenshield@dunmere.example")
