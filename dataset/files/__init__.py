"""Where a dataset's files live and when one is whole (layout), the manifest, and the
folder's safety: claims of concurrent processes, temporaries, outputs kept outside a dataset,
the memory and disk a draw takes, the checksum watch of a running job."""
