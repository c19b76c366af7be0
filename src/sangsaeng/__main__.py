from sangsaeng.cli.main import app

app()
