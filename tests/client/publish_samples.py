"""Sample projects on disk for the publish tests (unit and end-to-end)."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus import CORPUS

REALWORLD = "awslabs__realworld-serverless-application__"
FUNCTION = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: {uri}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def realworld(root: Path) -> Path:
    """awslabs/realworld-serverless-application's layout, from the corpus plus small stubs."""
    copies = {
        "sam/app/template.yaml": "sam_app_template.yaml",
        "backend/sam/app/template.yaml": "backend_sam_app_template.yaml",
        "backend/sam/app/database.template.yaml": "backend_sam_app_database.template.yaml",
        "analytics/sam/app/template.yaml": "analytics_sam_app_template.yaml",
        "static-website/sam/app/template.yaml": "static-website_sam_app_template.yaml",
    }
    for target, name in copies.items():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / (REALWORLD + name), root / target)
    stub = (
        "Parameters:\n  Stage:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    )
    write(root / "backend/sam/app/api.template.yaml", FUNCTION.format(uri="../../target/api.jar"))
    write(root / "backend/target/api.jar", "jar")
    write(root / "ops/sam/app/template.yaml", stub)
    write(root / "static-website/dist/index.html", "<html></html>")
    write(root / "analytics/target/analytics.jar", "jar")
    write(root / "README.md", "# realworld\n")
    write(root / "LICENSE", "Apache-2.0\n")
    return root / "sam/app/template.yaml"
