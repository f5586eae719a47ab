"""Self-recursive and mutually recursive models, built and parsed at any depth."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cases.support import echo, wire


def check_self_recursive_model(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    children = [{"name": "a", "children": [{"name": "b"}]}, pkg.models.TreeNode(name="c")]
    root = client.default.create_tree(name="root", children=children, by_name={"x": {"name": "x", "parent": {"name": "root"}}})
    assert json.loads(sent[0].content) == {
        "name": "root",
        "children": [{"name": "a", "children": [{"name": "b"}]}, {"name": "c"}],
        "by_name": {"x": {"name": "x", "parent": {"name": "root"}}},
    }
    assert isinstance(root.children[0].children[0], pkg.models.TreeNode)
    assert root.children[0].children[0].name == "b"
    assert isinstance(root.by_name["x"].parent, pkg.models.TreeNode)


def check_deep_recursion(pkg: Any) -> None:
    node: dict[str, Any] = {"name": "leaf"}
    for depth in range(60):
        node = {"name": f"n{depth}", "children": [node]}
    tree = pkg.models.TreeNode.model_validate(node)
    for _ in range(60):
        tree = tree.children[0]
    assert tree.name == "leaf"


def check_mutually_recursive_models(pkg: Any) -> None:
    body = {
        "name": "Ada",
        "department": {
            "title": "Eng",
            "manager": {"name": "Bo", "department": {"title": "Board"}},
            "staff": [{"name": "Cy"}],
        },
    }
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=body))
    employee = client.default.get_employee(id="e1")
    assert sent[0].url.path == "/employees/e1"
    assert isinstance(employee.department, pkg.models.Department)
    assert isinstance(employee.department.manager, pkg.models.Employee)
    assert employee.department.manager.department.title == "Board"
    assert isinstance(employee.department.staff[0], pkg.models.Employee)
    assert employee.model_dump(mode="json", exclude_unset=True) == body


def check_recursion_through_all_of(pkg: Any) -> None:
    category = pkg.models.Category.model_validate({"name": "a", "subcategories": [{"name": "b", "subcategories": []}]})
    assert isinstance(category.subcategories[0], pkg.models.Category)
    assert category.subcategories[0].name == "b"
