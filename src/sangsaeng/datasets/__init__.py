"""Where dataset files live: one ``DatasetStore`` per connector, chosen by the setting ``datasets``
(``configured.open_store``); the port is ``port.DatasetStore``, the adapters ``local`` and ``s3``.

    datasets = ""                        # datasets/ in the data directory (the default)
    datasets = "/srv/sangsaeng/datasets" # another folder
    datasets = "s3://bucket/prefix"      # an S3 bucket (datasets_endpoint, _region, _access_key, _secret_key)
"""
