"""A DynamoDB table in memory: items kept in wire form ({"S": ...}) by (pk, sk), PynamoDB conditions
and update actions evaluated on them, and transactions that apply all their writes or none.

Items are stored serialized and handed out as fresh PynamoDB objects, so a use case can never change
stored state through a reference it kept (as with the real table, only a write changes it)."""
import copy
import re
from decimal import Decimal

from pynamodb.expressions.condition import (
    And, Between, BeginsWith, Comparison, Condition, Contains, Exists, In, IsType, Not, NotExists, Or,
)
from pynamodb.expressions.operand import Path, Value, _Decrement, _IfNotExists, _Increment, _ListAppend, _Size
from pynamodb.expressions.update import AddAction, DeleteAction, RemoveAction, SetAction
from pynamodb.exceptions import CancellationReason

_SEGMENT = re.compile(r"([^\[]+)((?:\[\d+\])*)")


class TransactionCancelled(Exception):
    """What DynamoDB's TransactionCanceledException carries: one reason per item, in request order
    (None where the item was fine). store.billing._conflict_of reads only `cancellation_reasons`."""

    def __init__(self, reasons: list[CancellationReason | None]):
        super().__init__([r.code if r else None for r in reasons])
        self.cancellation_reasons = reasons


class InvalidTransaction(Exception):
    """DynamoDB's ValidationException for a transaction (two operations on one item, none at all):
    no cancellation reasons, so store.billing reads it as ConcurrentUpdate, as it does the real one."""

    cancellation_reasons: list = []


class FakeTable:
    def __init__(self, model):
        self.model = model  # the base model items are rebuilt with (discriminator picks the subclass)
        self.items: dict[tuple, dict] = {}
        self.hash_key = model._hash_key_attribute().attr_name
        range_attribute = model._range_key_attribute()
        self.range_key = range_attribute.attr_name if range_attribute else None

    # --- reading --------------------------------------------------------------------------------
    def key_of(self, wire: dict) -> tuple:
        return (wire[self.hash_key]["S"], wire[self.range_key]["S"] if self.range_key else None)

    def raw(self, pk: str, sk: str | None = None) -> dict | None:
        found = self.items.get((pk, sk))
        return copy.deepcopy(found) if found is not None else None

    def get(self, pk: str, sk: str | None = None, model=None):
        found = self.items.get((pk, sk))
        return self._load(found, model) if found is not None else None

    def query(self, pk: str, sk_matches=lambda sk: True, model=None, newest_first: bool = False) -> list:
        keys = sorted((key for key in self.items if key[0] == pk and sk_matches(key[1])),
                      key=lambda key: key[1], reverse=newest_first)
        return [item for item in (self._load(self.items[key], model) for key in keys) if item is not None]

    def index_query(self, hash_attr: str, value: str, range_attr: str, range_matches=lambda v: True,
                    model=None) -> list:
        """A sparse secondary index: the items carrying `hash_attr` == value, by `range_attr`."""
        hits = [wire for wire in self.items.values()
                if wire.get(hash_attr, {}).get("S") == value and range_attr in wire
                and range_matches(wire[range_attr]["S"])]
        hits.sort(key=lambda wire: (wire[range_attr]["S"], self.key_of(wire)))
        return [item for item in (self._load(wire, model) for wire in hits) if item is not None]

    def _load(self, wire: dict, model=None):
        """A fresh object, or None when the item is of another kind than `model` (a typed Query)."""
        item = self.model.from_raw_data(copy.deepcopy(wire))
        return item if model is None or isinstance(item, model) else None

    # --- writing --------------------------------------------------------------------------------
    def transact(self, checks: list, deletes: list, puts: list, updates: list) -> None:
        """Each operation is (key, condition, change): change(current wire or None) -> new wire or
        None (deleted), or None for a condition check. Every condition is judged on the state before
        the transaction; one failing cancels all of it."""
        operations = [*checks, *deletes, *puts, *updates]  # PynamoDB's request order
        if not operations or len({key for key, _, _ in operations}) != len(operations):
            raise InvalidTransaction("a transaction needs one to 100 operations, at most one per item")
        reasons = [None if holds(condition, self.items.get(key)) else CancellationReason("ConditionalCheckFailed")
                   for key, condition, _ in operations]
        if any(reasons):
            raise TransactionCancelled(reasons)
        for key, _, change in operations:
            if change is None:
                continue
            after = change(copy.deepcopy(self.items.get(key)))
            if after is None:
                self.items.pop(key, None)
            else:
                self.items[key] = after

    def write_one(self, kind: str, operation) -> bool:
        """One conditional write outside a transaction; False when its condition failed."""
        try:
            self.transact(*[[operation] if kind == k else [] for k in ("check", "delete", "put", "update")])
        except TransactionCancelled:
            return False
        return True


class FakeTransaction:
    """pynamodb.transactions.TransactWrite's writing interface on a FakeTable, version attributes
    handled as PynamoDB handles them (the condition on the version read, the stored version + 1, the
    object's version bumped after the commit)."""

    def __init__(self, table: FakeTable):
        self._table = table
        self._ops = {"check": [], "delete": [], "put": [], "update": []}
        self._versioned = []

    def condition_check(self, model_cls, hash_key, range_key=None, condition=None):
        if condition is None:
            raise TypeError("`condition` cannot be None")
        self._ops["check"].append(((hash_key, range_key), condition, None))

    def save(self, model, condition=None, return_values=None):
        self._ops["put"].append(put_operation(model, condition))
        self._versioned.append(model)

    def delete(self, model, condition=None, *, add_version_condition: bool = True):
        self._ops["delete"].append(delete_operation(model, condition, add_version_condition))

    def update(self, model, actions, condition=None, return_values=None, *, add_version_condition: bool = True):
        self._ops["update"].append(update_operation(model, actions, condition, add_version_condition))
        self._versioned.append(model)

    def commit(self) -> None:
        self._table.transact(self._ops["check"], self._ops["delete"], self._ops["put"], self._ops["update"])
        for model in self._versioned:
            model.update_local_version_attribute()


def model_key(model) -> tuple:
    hash_value, range_value = model._get_hash_range_key_serialized_values()
    return hash_value, range_value


def put_operation(model, condition=None) -> tuple:
    wire = model.serialize(null_check=True)
    version = model._handle_version_attribute(attributes=wire)
    if version is not None:
        condition &= version
    return model_key(model), condition, lambda current: copy.deepcopy(wire)


def delete_operation(model, condition=None, add_version_condition: bool = True) -> tuple:
    version = model._handle_version_attribute()
    if add_version_condition and version is not None:
        condition &= version
    return model_key(model), condition, lambda current: None


def update_operation(model, actions, condition=None, add_version_condition: bool = True) -> tuple:
    actions = list(actions)
    version = model._handle_version_attribute(actions=actions)
    if add_version_condition and version is not None:
        condition &= version
    key = model_key(model)
    table_keys = {model._hash_key_attribute().attr_name: {"S": key[0]}}
    if key[1] is not None:
        table_keys[model._range_key_attribute().attr_name] = {"S": key[1]}

    def change(current):
        item = current if current is not None else dict(table_keys)  # an update creates a missing item
        for action in actions:
            apply_action(action, item)
        return item

    return key, condition, change


# --- conditions ----------------------------------------------------------------------------------
def holds(condition: Condition | None, item: dict | None) -> bool:
    if condition is None:
        return True
    item = item or {}
    values = condition.values
    if isinstance(condition, And):
        return holds(values[0], item) and holds(values[1], item)
    if isinstance(condition, Or):
        return holds(values[0], item) or holds(values[1], item)
    if isinstance(condition, Not):
        return not holds(values[0], item)
    if isinstance(condition, Exists):
        return _operand(values[0], item) is not None
    if isinstance(condition, NotExists):
        return _operand(values[0], item) is None
    operands = [_operand(value, item) for value in values]
    if any(operand is None for operand in operands):
        return False  # a comparison with a missing attribute is false in DynamoDB
    if isinstance(condition, Comparison):
        return _compare(condition.operator, operands[0], operands[1])
    if isinstance(condition, Between):
        return _compare(">=", operands[0], operands[1]) and _compare("<=", operands[0], operands[2])
    if isinstance(condition, In):
        return any(_compare("=", operands[0], candidate) for candidate in operands[1:])
    if isinstance(condition, BeginsWith):
        (kind, text), = operands[0].items()
        return kind == "S" and "S" in operands[1] and text.startswith(operands[1]["S"])
    if isinstance(condition, Contains):
        (kind, whole), = operands[0].items()
        (part_kind, part), = operands[1].items()
        if kind == "S":
            return part_kind == "S" and part in whole
        if kind == "L":
            return any(_plain(element) == _plain(operands[1]) for element in whole)
        return kind in ("SS", "NS") and _plain(operands[1]) in _plain(operands[0])
    if isinstance(condition, IsType):
        return next(iter(operands[0])) == next(iter(operands[1].values()))
    raise NotImplementedError(f"condition not supported by the fake table: {condition!r}")


def _operand(operand, item: dict):
    if isinstance(operand, Path):
        return _resolve(operand.path, item)
    if isinstance(operand, Value):
        return operand.value
    if isinstance(operand, _Size):
        found = _operand(operand.values[0], item)
        if found is None:
            return None
        (kind, value), = found.items()
        return {"N": str(len(value.encode() if kind == "S" else value))}
    if isinstance(operand, _IfNotExists):
        found = _operand(operand.values[0], item)
        return found if found is not None else _operand(operand.values[1], item)
    if isinstance(operand, (_Increment, _Decrement)):
        left, right = (_operand(value, item) for value in operand.values)
        sign = 1 if isinstance(operand, _Increment) else -1
        return {"N": _number(Decimal(left["N"]) + sign * Decimal(right["N"]))}
    if isinstance(operand, _ListAppend):
        left, right = (_operand(value, item) for value in operand.values)
        return {"L": [*left["L"], *right["L"]]}
    raise NotImplementedError(f"operand not supported by the fake table: {operand!r}")


def _segments(path: list[str]):
    for segment in path:
        name, indexes = _SEGMENT.fullmatch(segment).groups()
        yield name, [int(index) for index in re.findall(r"\d+", indexes)]


def _resolve(path: list[str], item: dict):
    value = {"M": item}
    for name, indexes in _segments(path):
        value = value.get("M", {}).get(name)
        for index in indexes:
            if value is None or "L" not in value or index >= len(value["L"]):
                return None
            value = value["L"][index]
        if value is None:
            return None
    return value


def _plain(wire: dict):
    (kind, value), = wire.items()
    if kind == "N":
        return Decimal(value)
    if kind == "NS":
        return frozenset(Decimal(v) for v in value)
    if kind in ("SS", "BS"):
        return frozenset(value)
    if kind == "M":
        return {k: _plain(v) for k, v in value.items()}
    if kind == "L":
        return [_plain(v) for v in value]
    return value


def _compare(operator: str, left: dict, right: dict) -> bool:
    (left_kind, _), (right_kind, _) = next(iter(left.items())), next(iter(right.items()))
    if operator in ("=", "<>"):
        equal = left_kind == right_kind and _plain(left) == _plain(right)
        return equal if operator == "=" else not equal
    if left_kind != right_kind or left_kind not in ("S", "N", "B"):
        return False
    a, b = _plain(left), _plain(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def _number(value: Decimal) -> str:
    return str(value.normalize()) if value != value.to_integral_value() else str(int(value))


# --- updates -------------------------------------------------------------------------------------
def apply_action(action, item: dict) -> None:
    path = action.values[0].path
    if isinstance(action, SetAction):
        _assign(path, item, _operand(action.values[1], item))
    elif isinstance(action, RemoveAction):
        _remove(path, item)
    elif isinstance(action, AddAction):
        current, added = _resolve(path, item), action.values[1].value
        if "N" in added:
            total = Decimal(current["N"] if current else 0) + Decimal(added["N"])
            _assign(path, item, {"N": _number(total)})
        else:
            (kind, values), = added.items()
            merged = list(dict.fromkeys([*(current or {kind: []})[kind], *values]))
            _assign(path, item, {kind: merged})
    elif isinstance(action, DeleteAction):
        current, removed = _resolve(path, item), action.values[1].value
        if current is not None:
            (kind, values), = removed.items()
            left = [value for value in current[kind] if value not in values]
            if left:
                _assign(path, item, {kind: left})
            else:
                _remove(path, item)
    else:
        raise NotImplementedError(f"update action not supported by the fake table: {action!r}")


def _parent(path: list[str], item: dict):
    """The container holding the last segment of `path`, and how to address it there."""
    segments = list(_segments(path))
    container = {"M": item}
    for name, indexes in segments[:-1]:
        container = container["M"][name]
        for index in indexes:
            container = container["L"][index]
    name, indexes = segments[-1]
    if not indexes:
        return container["M"], name
    container = container["M"][name]
    for index in indexes[:-1]:
        container = container["L"][index]
    return container["L"], indexes[-1]


def _assign(path: list[str], item: dict, value: dict) -> None:
    holder, slot = _parent(path, item)
    if isinstance(holder, list) and slot >= len(holder):
        holder.append(value)
    else:
        holder[slot] = value


def _remove(path: list[str], item: dict) -> None:
    try:
        holder, slot = _parent(path, item)
    except (KeyError, IndexError):
        return
    if isinstance(holder, list):
        if slot < len(holder):
            del holder[slot]
    else:
        holder.pop(slot, None)
