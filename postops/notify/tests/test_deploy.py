"""The systemd units that run the sender every minute (deploy/postops-notify.*)."""

from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def test_the_service_runs_the_sender_with_the_env_file():
    lines = (DEPLOY / "postops-notify.service").read_text().splitlines()
    assert (
        "ExecStart=/srv/postops/.venv/bin/python manage.py send_notifications --limit 500" in lines
    )
    assert "EnvironmentFile=/etc/postops/postops.env" in lines
    assert "User=postops" in lines
    assert "Type=oneshot" in lines
    assert get_commands()["send_notifications"] == "postops.notify"


def test_the_timer_starts_it_every_minute_and_the_readme_installs_it():
    lines = (DEPLOY / "postops-notify.timer").read_text().splitlines()
    assert "OnUnitActiveSec=1min" in lines
    assert "WantedBy=timers.target" in lines
    readme = (DEPLOY / "README.md").read_text()
    assert "deploy/postops-notify.service deploy/postops-notify.timer" in readme
    assert "postops-notify.timer" in readme.split("systemctl enable --now", 1)[1].split("\n\n")[0]
