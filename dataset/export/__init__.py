"""export: the formats (formats.py's registry), the originals' layouts (Multimodal3DIdent,
CITRIS), the shared ones (webdataset, hf) with their card and Croissant metadata, and validate
of an export."""
