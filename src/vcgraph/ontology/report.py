"""What an ontology check found: findings with a severity, gathered in a report that passes or fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["ERROR", "WARN"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: which check saw it, how bad it is, on which IRI (or file), and what to do about it."""

    check: str
    severity: Severity
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity:<5} {self.check}  {self.subject}: {self.message}"


@dataclass
class CheckReport:
    """The outcome of :func:`vcgraph.ontology.check_ontology`; it passes when no finding is an ERROR."""

    findings: list[Finding] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "ERROR"]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "WARN"]

    def add(self, check: str, severity: Severity, subject: str, message: str) -> None:
        self.findings.append(Finding(check, severity, subject, message))

    def by_check(self, check: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.check == check]

    def text(self) -> str:
        """One line per finding, then the verdict: what ``vcgraph ontology check`` prints."""
        return str(self)

    def __str__(self) -> str:
        lines = [str(finding) for finding in sorted(self.findings)]
        verdict = "passed" if self.passed else "FAILED"
        lines.append(
            f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s) "
            f"from {len(self.checks_run)} check(s)"
        )
        return "\n".join(lines)
