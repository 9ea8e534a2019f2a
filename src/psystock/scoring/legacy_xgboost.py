"""Read XGBoost's legacy binary model format without XGBoost.

XGBoost up to 2.x saved ``Booster.save_model("model.xgb")`` (and MLflow 1.x's ``model.xgb``) in
a binary format that XGBoost 3.1 no longer reads. The format is a dump of a few fixed-size C
structs (``include/xgboost/tree_model.h``, ``src/learner.cc``, ``src/gbm/gbtree_model.cc``),
little-endian, strings and vectors as dmlc writes them (a ``uint64`` count, then the items)::

    "binf"                    4 bytes, optional (XGBoost 1.3 to 2.x write it, 0.90 did not)
    LearnerModelParamLegacy   136 bytes: base_score f32, num_feature u32, num_class i32,
                              contain_extra_attrs i32, contain_eval_metrics i32,
                              major_version u32, minor_version u32 (both 0 before 1.0),
                              num_target u32 (2.x), boost_from_average i32 (2.x), reserved
    objective, booster        strings ("binary:logistic", "gbtree")
    GBTreeModelParam          160 bytes: num_trees i32, num_parallel_tree i32 (2.x; a
                              deprecated 1 before), 3 deprecated fields, size_leaf_vector i32
    num_trees RegTrees, each:
      TreeParam               148 bytes: deprecated i32, num_nodes i32, num_deleted i32,
                              deprecated i32, num_feature u32, size_leaf_vector i32, reserved
      num_nodes Nodes         20 bytes: parent i32 (bit 31: is a left child), left i32,
                              right i32 (-1 on leaves), split index u32 (bit 31: missing
                              values go left; all bits set: a deleted node), split
                              condition or leaf value f32
      num_nodes node stats    16 bytes: loss_chg f32, sum_hess f32, base_weight f32, i32
    tree_info                 num_trees i32: the output group (class) of each tree
    attributes                if contain_extra_attrs: (key, value) string pairs; from 1.0 on
                              they hold the objective's configuration as JSON ("objective")
    eval metrics              before 1.0 only, if contain_eval_metrics: strings

Only ``gbtree`` boosters are read: ``gblinear`` and ``dart`` store other structures, and the
binary format cannot hold categorical splits or vector leaves (XGBoost refused to save them).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from psystock.errors import ModelLoadError

BINARY_MAGIC = b"binf"
LEARNER_PARAM_BYTES = 136
GBTREE_PARAM_BYTES = 160
TREE_PARAM_BYTES = 148
NODE_DTYPE = np.dtype(
    [("parent", "<i4"), ("left", "<i4"), ("right", "<i4"), ("sindex", "<u4"), ("value", "<f4")]
)
STAT_DTYPE = np.dtype(
    [("loss_chg", "<f4"), ("sum_hess", "<f4"), ("base_weight", "<f4"), ("leaf_count", "<i4")]
)
SUPPORTED_BOOSTER = "gbtree"
_MAX_NAME_BYTES = 256
"""Longest objective or booster name accepted when sniffing (real ones are under 32)."""


@dataclass(frozen=True)
class LegacyTree:
    """One regression tree: its nodes and their statistics, as stored."""

    nodes: np.ndarray[Any, np.dtype[np.void]]
    stats: np.ndarray[Any, np.dtype[np.void]]
    num_deleted: int
    num_feature: int
    size_leaf_vector: int


@dataclass(frozen=True)
class LegacyBooster:
    """Everything a legacy binary ``gbtree`` model holds.

    Attributes:
        version: (major, minor) of the XGBoost that wrote it; (0, 0) before 1.0.
        objective: the objective's name, e.g. ``binary:logistic``.
        base_score: the global bias as stored (before 1.0: already through the link function).
        trees: the trees, in boosting order.
        tree_info: the output group of each tree.
        attributes: the booster's attributes, including ``objective`` (JSON) from 1.0 on.
    """

    version: tuple[int, int]
    objective: str
    base_score: float
    num_feature: int
    num_class: int
    num_target: int
    boost_from_average: int
    num_parallel_tree: int
    trees: tuple[LegacyTree, ...]
    tree_info: tuple[int, ...]
    attributes: dict[str, str] = field(default_factory=dict)
    eval_metrics: tuple[str, ...] = ()

    @property
    def written_by(self) -> str:
        """``XGBoost 1.3`` (or ``XGBoost < 1.0``): the version that wrote the file."""
        major, minor = self.version
        return f"XGBoost {major}.{minor}" if major else "XGBoost < 1.0"


class _Reader:
    """Sequential little-endian reads over ``data`` with messages that name the offset."""

    def __init__(self, data: bytes, source: str) -> None:
        self.data = data
        self.offset = 0
        self.source = source

    def take(self, size: int, what: str) -> bytes:
        end = self.offset + size
        if size < 0 or end > len(self.data):
            found = len(self.data) - self.offset
            raise ModelLoadError(
                f"{self.source} is truncated: expected {size} bytes of {what} at byte "
                f"{self.offset}, found {found}"
            )
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def unpack(self, layout: str, size: int, what: str) -> tuple[Any, ...]:
        return struct.unpack_from(layout, self.take(size, what))

    def string(self, what: str) -> str:
        (length,) = self.unpack("<Q", 8, f"the length of {what}")
        raw = self.take(length, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelLoadError(f"{self.source}: {what} is not UTF-8 text") from exc

    def records(self, dtype: np.dtype[Any], count: int, what: str) -> np.ndarray[Any, Any]:
        raw = self.take(dtype.itemsize * count, what)
        return np.frombuffer(raw, dtype=dtype).copy()

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset


def sniff_legacy_binary(head: bytes) -> bool:
    """Whether the first bytes of a file look like a legacy binary model.

    JSON and UBJSON models start with ``{``. A legacy file starts with ``binf``, or (XGBoost
    < 1.0) with the 136-byte learner parameters followed by the objective's name as a short
    string.
    """
    if head.startswith(BINARY_MAGIC):
        return True
    if head[:1] == b"{" or len(head) < LEARNER_PARAM_BYTES + 8:
        return False
    (length,) = struct.unpack_from("<Q", head, LEARNER_PARAM_BYTES)
    name = head[LEARNER_PARAM_BYTES + 8 : LEARNER_PARAM_BYTES + 8 + length]
    return 0 < length <= _MAX_NAME_BYTES and len(name) == length and name.isascii()


def is_legacy_binary(path: Path) -> bool:
    """Whether the file at ``path`` is a legacy binary XGBoost model (``sniff_legacy_binary``)."""
    with path.open("rb") as handle:
        return sniff_legacy_binary(handle.read(LEARNER_PARAM_BYTES + 8 + _MAX_NAME_BYTES))


def read_legacy_booster(data: bytes, source: str) -> LegacyBooster:
    """Parse a legacy binary model.

    Args:
        data: the whole file.
        source: what to call the file in messages (``model models:/m/1: model.xgb``).

    Raises:
        ModelLoadError: the file is not in the legacy format, is truncated or inconsistent,
            or holds a booster other than ``gbtree``.
    """
    reader = _Reader(data, source)
    if data.startswith(BINARY_MAGIC):
        reader.take(len(BINARY_MAGIC), "the header")
    elif data[:1] == b"{":
        raise ModelLoadError(f"{source} is a JSON or UBJSON model, not a legacy binary one")
    learner = reader.unpack("<fIiiiIIIi", 36, "the learner parameters")
    reader.take(LEARNER_PARAM_BYTES - 36, "the learner parameters")
    base_score, num_feature, num_class, has_attributes, has_metrics = learner[:5]
    major, minor, num_target, boost_from_average = learner[5:]
    objective = reader.string("the objective's name")
    booster = reader.string("the booster's name")
    if booster != SUPPORTED_BOOSTER:
        written = f"XGBoost {major}.{minor}" if major else "XGBoost < 1.0"
        raise ModelLoadError(
            f"{source} holds a {booster!r} booster (objective {objective}, written by "
            f"{written}): only 'gbtree' boosters can be converted; load it with that "
            f"XGBoost and save it with save_model('model.ubj')"
        )
    num_trees, num_parallel_tree = reader.unpack("<ii", 8, "the gbtree parameters")
    reader.take(GBTREE_PARAM_BYTES - 8, "the gbtree parameters")
    if num_trees < 0:
        raise ModelLoadError(f"{source}: expected a tree count of 0 or more, got {num_trees}")
    trees = tuple(_read_tree(reader, index) for index in range(num_trees))
    tree_info = tuple(
        int(group) for group in reader.records(np.dtype("<i4"), num_trees, "tree_info")
    )
    attributes = _read_attributes(reader) if has_attributes else {}
    if not major and objective == "count:poisson" and reader.remaining:
        reader.string("max_delta_step")  # XGBoost < 1.0 stored it after the attributes
    metrics = _read_old_metrics(reader) if has_metrics and not major else ()
    return LegacyBooster(
        version=(major, minor),
        objective=objective,
        base_score=float(base_score),
        num_feature=num_feature,
        num_class=num_class,
        num_target=num_target or 1,
        boost_from_average=boost_from_average if major >= 2 else 1,
        num_parallel_tree=num_parallel_tree if major >= 2 and num_parallel_tree > 0 else 1,
        trees=trees,
        tree_info=tree_info,
        attributes=attributes,
        eval_metrics=metrics,
    )


def _read_tree(reader: _Reader, index: int) -> LegacyTree:
    what = f"tree {index}"
    params = reader.unpack("<iiiiIi", 24, f"the parameters of {what}")
    reader.take(TREE_PARAM_BYTES - 24, f"the parameters of {what}")
    _, num_nodes, num_deleted, _, num_feature, size_leaf_vector = params
    if num_nodes < 1 or not 0 <= num_deleted < num_nodes:
        raise ModelLoadError(
            f"{reader.source}: {what} claims {num_nodes} nodes of which {num_deleted} deleted: "
            "expected at least 1 node, fewer deleted"
        )
    nodes = reader.records(NODE_DTYPE, num_nodes, f"the nodes of {what}")
    stats = reader.records(STAT_DTYPE, num_nodes, f"the node statistics of {what}")
    _check_links(nodes, reader.source, what)
    return LegacyTree(nodes, stats, num_deleted, num_feature, size_leaf_vector)


def _check_links(nodes: np.ndarray[Any, Any], source: str, what: str) -> None:
    """Every child index points inside the tree, so a corrupt file never loads silently."""
    count = len(nodes)
    for column in ("left", "right"):
        children = nodes[column]
        bad = np.flatnonzero((children != -1) & ((children < 1) | (children >= count)))
        if bad.size:
            node = int(bad[0])
            raise ModelLoadError(
                f"{source}: {what}, node {node}: expected a {column} child in 1..{count - 1} "
                f"or -1, got {int(children[node])}"
            )


def _read_attributes(reader: _Reader) -> dict[str, str]:
    (count,) = reader.unpack("<Q", 8, "the attribute count")
    pairs = {}
    for index in range(count):
        key = reader.string(f"attribute {index}'s name")
        pairs[key] = reader.string(f"attribute {key!r}")
    return pairs


def _read_old_metrics(reader: _Reader) -> tuple[str, ...]:
    """The evaluation metrics XGBoost < 1.0 appended (1.x still reads files without them)."""
    if reader.remaining < 8:
        return ()
    (count,) = reader.unpack("<Q", 8, "the metric count")
    return tuple(reader.string(f"metric {index}") for index in range(count))
