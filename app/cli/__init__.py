"""Command-line interface: one module per command group, each with a list named `commands`."""

from __future__ import annotations

from flask import Flask

from app.cli import admin, demo, funding, jury, reminders, results, translate, webhooks


def register(app: Flask) -> None:
    for module in (admin, demo, jury, results, translate, reminders, webhooks, funding):
        for command in module.commands:
            app.cli.add_command(command)
