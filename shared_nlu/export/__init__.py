"""Turn packs into other tools' formats: ``rasa`` writes a Rasa 3.x project (``madoguchi export-rasa``)."""

from .rasa import RasaProject, annotate, build_project, nlu_document, write_project

__all__ = ["RasaProject", "annotate", "build_project", "nlu_document", "write_project"]
