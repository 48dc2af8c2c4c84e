"""``python manage.py tandem_export [-o history.ndjson] [--include-admins] [--message-model app.Model]``

Writes the seed's users, matches and messages as Tandem's import lines (see
``tandem_django.export``); pairs only one side records are listed on stderr. Import the file
with ``npm run import -- history.ndjson`` on Tandem's machine, or send it with
``TandemClient().import_history(open("history.ndjson"))``.
"""
import json

from django.core.management.base import BaseCommand

from tandem_django.export import export_lines


class Command(BaseCommand):
    help = "Export users, matches and messages to Tandem's NDJSON import format"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")
        parser.add_argument("--include-admins", action="store_true", help="export ADMIN users too (they sign in through the platform)")
        parser.add_argument("--message-model", help="the message model as app_label.Model (default: TANDEM_MESSAGE_MODEL or chat.Message)")

    def handle(self, *args, **options):
        counts = {"user": 0, "match": 0, "message": 0}
        output = open(options["output"], "w", encoding="utf-8") if options["output"] else None
        out = output or self.stdout
        try:
            lines = export_lines(include_admins=options["include_admins"], message_model=options["message_model"], report=lambda text: self.stderr.write(text))
            for line in lines:
                counts[line["kind"]] += 1
                out.write(json.dumps(line, ensure_ascii=False) + ("\n" if output else ""))
        finally:
            if output:
                output.close()
        summary = f"exported {counts['user']} users, {counts['match']} matches, {counts['message']} messages"
        self.stderr.write(summary)
