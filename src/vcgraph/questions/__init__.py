"""The analyst questions (gap, convergence, matchmaking, trend, browsing): ``queries/*.rq`` run safely.

Entry points for the CLI and the REST routes: :func:`list_questions`, :func:`run_question`, :func:`run_sparql`;
:func:`question_rows` for checks that compare an answer with its query.
"""

from vcgraph.questions.answer import QuestionAnswer, SparqlTable
from vcgraph.questions.catalog import CatalogError, ParamSpec, QuestionInfo
from vcgraph.questions.params import QuestionParameterError
from vcgraph.questions.service import (
    QueryRefused,
    UnknownQuestion,
    get_question,
    list_questions,
    question_rows,
    run_question,
    run_sparql,
)

# The names the CLI imports.
ParameterProblem = QuestionParameterError
QuestionNotFound = UnknownQuestion

__all__ = [
    "CatalogError",
    "ParamSpec",
    "ParameterProblem",
    "QueryRefused",
    "QuestionAnswer",
    "QuestionInfo",
    "QuestionNotFound",
    "QuestionParameterError",
    "SparqlTable",
    "UnknownQuestion",
    "get_question",
    "list_questions",
    "question_rows",
    "run_question",
    "run_sparql",
]
