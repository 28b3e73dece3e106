"""Draws the first page of the demo contest's protocol (Russian) into docs/screenshots/protocol-ru.png
for the README. Needs pypdfium2 besides the project (`pip install pypdfium2`); not a dependency.

    python scripts/protocol_picture.py
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    import pypdfium2

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.models import Contest, User
    from app.services.demo import seed_demo
    from app.services.documents.protocol import protocol_pdf, save_details

    workdir = Path(tempfile.mkdtemp(prefix="fj-protocol-"))
    config = type("PictureConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'demo.sqlite'}",
                                                   "STORAGE_DIR": str(workdir / "uploads")})
    app = create_app(config)
    with app.app_context(), app.test_request_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        contest = db.session.scalar(db.select(Contest).where(Contest.slug == "formula-2026"))
        round_ = next(r for r in contest.rounds if r.finalised_at is not None)
        organiser = db.session.scalar(db.select(User).where(User.email.like("organiser@%")))
        save_details(contest, round_, actor=organiser, meeting_date=date(2026, 12, 2),
                     place="Москва, ул. Василисы Кожиной, 1", quorum="9 из 12 членов совета, кворум имеется",
                     present="\n".join(f"Эксперт {n}" for n in range(1, 10)),
                     chair="Иванова Мария Сергеевна", secretary="Петров Алексей Николаевич")
        db.session.commit()
        data = protocol_pdf(contest, round_, language="ru")
    page = pypdfium2.PdfDocument(data)[0]
    target = ROOT / "docs" / "screenshots" / "protocol-ru.png"
    page.render(scale=1.4).to_pil().save(target)
    print(target)


if __name__ == "__main__":
    main()
