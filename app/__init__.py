"""Formula Jury: a judging platform for social-project contests."""

from __future__ import annotations

from flask import Flask

from app.config import INSTANCE_DIR, PROJECT_ROOT, Config


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    register_required_settings(app)
    register_extensions(app)
    register_input_limits(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_web(app)
    register_commands(app)
    return app


def register_required_settings(app: Flask) -> None:
    """Settings production cannot guess: the key that signs sessions, the public address of links."""
    from app.config import DEV_SECRET_KEY

    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] not in ("development", "testing"):
            raise RuntimeError("SECRET_KEY must be set outside development")
        app.config["SECRET_KEY"] = DEV_SECRET_KEY
    if not app.config.get("PUBLIC_URL"):
        if app.config["ENV_NAME"] not in ("development", "testing"):
            raise RuntimeError("PUBLIC_URL must be set outside development (e.g. https://jury.example.org)")
        app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"


def register_extensions(app: Flask) -> None:
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(PROJECT_ROOT / "app" / "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to open this page.")

    from app.services.platform.accounts import load_session_account

    @login_manager.user_loader
    def load_user(session_id: str):
        return load_session_account(session_id)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from sqlalchemy import event

        with app.app_context():

            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                # Write-ahead logging: readers never wait for the writer (several workers, a busy
                # deadline), and a commit is one append. With it, synchronous=NORMAL cannot corrupt
                # the database; a power cut may lose only the last commits (SQLite's own advice;
                # Rails' default). PostgreSQL is the database for production (see the README).
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

            @event.listens_for(db.engine, "savepoint")
            def _sqlite_begin_before_savepoint(connection, _name):
                # pysqlite opens its transaction lazily, at the first INSERT/UPDATE/DELETE. A
                # SAVEPOINT issued before that would start the transaction itself, and its
                # RELEASE would then commit: the "nested" write would survive a rollback.
                dbapi_connection = connection.connection.dbapi_connection
                if not dbapi_connection.in_transaction:
                    dbapi_connection.execute("BEGIN")


def register_input_limits(app: Flask) -> None:
    """Ids beyond the integer columns and NUL characters in addresses are 404 (app/input_limits.py)."""
    from app import input_limits

    input_limits.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.apply.routes import bp as apply_bp
    from app.auth.routes import bp as auth_bp
    from app.jury import bp as jury_bp
    from app.manage import bp as manage_bp
    from app.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(apply_bp, url_prefix="/apply")
    app.register_blueprint(jury_bp, url_prefix="/jury")

    from app.ops.routes import bp as ops_bp

    app.register_blueprint(ops_bp)

    from app import api

    api.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from app import i18n, navigation
    from app.services.platform.links import external_url
    from app.services.platform.money import format_amount

    app.jinja_env.globals.update(
        external_url=external_url,
        current_language=i18n.current_language,
        languages=app.config["LANGUAGES"],
        role_navigation=navigation.role_navigation,
        contest_tabs=navigation.contest_tabs,
        method_label=navigation.method_label,
        decimal_mark=i18n.decimal_mark,
        offered_languages=i18n.offered_languages,
    )
    app.jinja_env.filters["local_dt"] = i18n.format_local_datetime
    app.jinja_env.filters["decimal"] = i18n.format_decimal_half_up
    app.jinja_env.filters["number"] = i18n.format_number
    app.jinja_env.filters["money"] = format_amount
    app.jinja_env.filters["filesize"] = i18n.format_size
    app.jinja_env.filters["zone_name"] = i18n.zone_name


def register_error_handlers(app: Flask) -> None:
    from flask import render_template

    def render_error(error):
        from app.api import is_api_request
        from app.api.errors import http_error_response

        if is_api_request():
            return http_error_response(error)
        code = getattr(error, "code", 500) or 500
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)


def register_web(app: Flask) -> None:
    """Logging, request ids, security headers and proxy handling (app/web.py)."""
    from app import web

    web.init_app(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
