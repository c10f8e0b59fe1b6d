"""The roadmap report (``vcgraph report OUT.html [--pdf]``): a self-contained HTML document, and its PDF print,
whose every figure is a question answered by :func:`vcgraph.questions.run_question` as the REST API answers it."""

from vcgraph.report.build import ReportError, ReportInfo, Source, build_report

__all__ = ["ReportError", "ReportInfo", "Source", "build_report"]
