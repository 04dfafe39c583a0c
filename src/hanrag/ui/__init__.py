"""The web app: static files (index.html, app.js, app.css) served by the HTTP API."""
