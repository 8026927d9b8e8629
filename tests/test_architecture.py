"""Every write goes through assessments/services/; the rest of the app reads.

The import rules are import-linter's contracts in pyproject.toml (``make lint``).
This scan covers what imports cannot show: it parses every module of the app
but the services and the migrations, and finds calls that write through the
ORM. Those are ``save()`` or ``delete()`` on an instance, a form or a formset,
and ``create``, ``update``, ``delete``, ``bulk_create`` and the like on a
manager or a queryset. Writes Django itself must make, and those still to move
into a service, are allowed by module and function in ``ALLOWED``.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "assessments"
NOT_SCANNED = ("services", "migrations", "tests")

# Writes on a model instance, a model form or a formset.
INSTANCE_WRITES = frozenset({"save", "delete"})
# Writes on a manager or a queryset.
QUERYSET_WRITES = frozenset(
    {
        "create",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "update",
        "delete",
    }
)
# django-simple-history's bulk writes, called as functions.
WRITE_FUNCTIONS = frozenset({"bulk_create_with_history", "bulk_update_with_history"})
# Calls that return a queryset, whatever they are called on.
QUERYSET_METHODS = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "select_for_update",
        "select_related",
        "prefetch_related",
        "order_by",
        "annotate",
        "alias",
        "only",
        "defer",
        "using",
        "distinct",
        "none",
        "get_queryset",
    }
)

# (module or package, function): the writes it may make.
ALLOWED = {
    # Django's admin deletes the inline rows ticked for deletion itself; this
    # repeats its loop so that step rows save through a service.
    ("assessments.admin", "AssessmentAdmin.save_formset"): {"delete"},
    # A new round creates its empty vision and commitment rows whichever way it
    # is created: part of the model's own save.
    ("assessments.models", "Assessment.save"): {"create"},
    # The one optimistic-locking write, a conditional UPDATE over the revision
    # read, which every service (and so the admin) saves step rows through.
    ("assessments.models", "Revised.save_revision"): {"update"},
}


@dataclass(frozen=True)
class Write:
    path: str
    module: str
    function: str
    method: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}: {self.code}"


def manager_names() -> frozenset[str]:
    """Attribute names that hold a manager: ``objects``, related managers."""
    names = {"objects", "_default_manager", "_base_manager"}
    for model in apps.get_models():
        names.update(manager.name for manager in model._meta.managers)
        names.update(field.name for field in model._meta.many_to_many)
        names.update(
            relation.get_accessor_name()
            for relation in model._meta.related_objects
            if relation.one_to_many or relation.many_to_many
        )
    return frozenset(names)


class WriteFinder(ast.NodeVisitor):
    """The ORM writes in one module's syntax tree."""

    def __init__(self, path: str, module: str, managers: frozenset[str]) -> None:
        self.path = path
        self.module = module
        self.managers = managers
        self.scope: list[str] = []
        # Names assigned a queryset, per function being visited.
        self.querysets: list[set[str]] = [set()]
        self.writes: list[Write] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.querysets.append(set())
        self.generic_visit(node)
        self.querysets.pop()
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.is_queryset(node.value):
            self.querysets[-1].update(
                target.id for target in node.targets if isinstance(target, ast.Name)
            )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        method = self.written_by(node)
        if method is not None:
            self.writes.append(
                Write(
                    path=self.path,
                    module=self.module,
                    function=".".join(self.scope) or "<module>",
                    method=method,
                    line=node.lineno,
                    code=ast.unparse(node.func),
                )
            )
        self.generic_visit(node)

    def written_by(self, call: ast.Call) -> str | None:
        """The write method ``call`` makes through the ORM, if it makes one."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in WRITE_FUNCTIONS:
            return func.id
        if not isinstance(func, ast.Attribute):
            return None
        method, receiver = func.attr, func.value
        if method in QUERYSET_WRITES and self.is_queryset(receiver):
            return method
        if method in INSTANCE_WRITES and self.is_instance_write(call, method, receiver):
            return method
        return None

    def is_queryset(self, node: ast.expr) -> bool:
        """Whether ``node`` looks like a manager or a queryset."""
        match node:
            case ast.Attribute(attr=name):
                return name in self.managers
            case ast.Call(func=ast.Attribute(attr=name)):
                return name in QUERYSET_METHODS
            case ast.Name(id=name):
                # An admin's actions and changelist pass ``queryset``.
                return name == "queryset" or any(name in s for s in self.querysets)
        return False

    def is_instance_write(
        self, call: ast.Call, method: str, receiver: ast.expr
    ) -> bool:
        """``save()`` and ``delete()`` of a model take keywords only, so a
        positional argument means something else (``cache.delete(key)``);
        ``save(commit=False)`` writes nothing; ``super().save()`` in ``save``
        hands on the write its caller makes."""
        if any(not isinstance(arg, ast.Starred) for arg in call.args):
            return False
        if any(
            keyword.arg == "commit"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is False
            for keyword in call.keywords
        ):
            return False
        return not (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "super"
            and self.scope[-1:] == [method]
        )


def writes_in(
    source: str, path: str, module: str, managers: frozenset[str]
) -> list[Write]:
    finder = WriteFinder(path, module, managers)
    finder.visit(ast.parse(source, filename=path))
    return finder.writes


def app_writes() -> Iterator[Write]:
    """Every ORM write in the app outside its services and migrations."""
    managers = manager_names()
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[1] in NOT_SCANNED:
            continue
        parts = relative.with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield from writes_in(path.read_text(), str(relative), module, managers)


def allowed_entry(write: Write) -> tuple[str, str] | None:
    """The ``ALLOWED`` entry for ``write``: its module, or a package holding it."""
    for module, function in ALLOWED:
        in_module = write.module == module or write.module.startswith(module + ".")
        if in_module and write.function == function:
            return module, function
    return None


def test_only_services_write_through_the_orm():
    """A write outside assessments/services/ belongs in a service, which the
    caller then calls."""
    outside = [
        write
        for write in app_writes()
        if write.method not in ALLOWED.get(allowed_entry(write), set())
    ]

    assert outside == [], "ORM writes outside assessments/services/:\n" + "\n".join(
        map(str, outside)
    )


def test_every_allowed_write_is_still_made():
    """An entry of ``ALLOWED`` goes once its write moves into a service."""
    made = {(allowed_entry(w), w.method) for w in app_writes()}

    stale = [
        (entry, method)
        for entry, methods in ALLOWED.items()
        for method in sorted(methods)
        if (entry, method) not in made
    ]

    assert stale == []


@pytest.mark.parametrize(
    "source",
    [
        "Team.objects.create(name='x')",
        "get_user_model().objects.get_or_create(username='x')",
        "Invitation.objects.filter(pk=1).update(status='x')",
        "team.assessments.create(title='x')",
        "queryset.update(status='x')",
        "qs = Response.objects.all()\nqs.delete()",
        "Response.objects.bulk_create(rows, batch_size=10)",
        "bulk_create_with_history(rows, Response)",
        "obj.save()",
        "obj.save(update_fields=['title'])",
        "form.save()",
        "obj.delete()",
    ],
)
def test_the_scan_finds_a_write(source):
    assert len(writes_in(source, "x.py", "assessments.x", manager_names())) == 1


@pytest.mark.parametrize(
    "source",
    [
        "context.update(upload=upload)",
        "counts.update(terms)",
        "email.widget.attrs.update({'autofocus': True})",
        "cache.delete(key)",
        "formset.save(commit=False)",
        "class A:\n    def save(self, **kw):\n        super().save(**kw)",
        "Team.objects.filter(pk=1).first()",
    ],
)
def test_the_scan_leaves_reads_and_other_objects_alone(source):
    assert writes_in(source, "x.py", "assessments.x", manager_names()) == []
