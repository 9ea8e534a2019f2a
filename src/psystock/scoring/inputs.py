"""The shapes of data going into a model: rows as parsed, and rows mapped onto a signature."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class ModelInput:
    """Rows to score as parsed from any format, before they are mapped onto a signature.

    Attributes:
        values: 2-D, rows x columns: a numpy array, or a sequence of rows whose cells are
            numbers or strings that must be numeric (from CSV or JSON).
        columns: the column names as given (JSON keys and CSV headers are strings), or None
            when the columns are positional.
    """

    values: np.ndarray | Sequence[Sequence[Any]]
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ArrowRows:
    """Rows to score as an Arrow table (CSV read by pyarrow), scored with ``score_arrow``.

    Attributes:
        table: the rows; its columns are named (by a header, or ``"0"``, ``"1"``...).
        positional: map the columns onto the model by position (no header), not by name.
    """

    table: pa.Table
    positional: bool

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.table.num_rows)


@dataclass(frozen=True)
class PreparedInput:
    """Rows mapped onto a model's signature, validated and ready for ``predict``.

    Attributes:
        matrix: rows x features, C-contiguous; float32 for the XGBoost fast path, float64
            for pyfunc models. Optional columns that were not given hold NaN.
        columns: the signature's column names, in order (int or str as saved), or None when
            the model's input is positional.
        types: the signature type of each column (``long``, ``double`` ...), or None.
    """

    matrix: np.ndarray
    columns: tuple[str | int, ...] | None = None
    types: tuple[str, ...] | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.matrix.shape[0])
