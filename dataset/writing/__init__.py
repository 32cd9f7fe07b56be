"""Writing a dataset's factor files and manifest, atomically and resumably: the pairs'
layout (writer), the sequence's and the cube's."""
