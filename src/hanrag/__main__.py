from hanrag.cli import app

app(prog_name="hanrag")
