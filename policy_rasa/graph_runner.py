"""Rasa's prediction graphs run node after node, without dask's scheduler.

Rasa 3.6 runs its graphs (parse the message, predict the next action) through `dask.get`: each run rebuilds
the minimal schema (a recursion without memo over every dependency), builds a dask graph, orders it
(dask.order) and schedules each node through dask's local executor. For the two small graphs of one
message that bookkeeping was a tenth of the Rasa process's CPU (py-spy on `make bench`'s real mix, 10
clients: `get_async` 60% of samples inclusive, the nodes it ran 50%). Here each runner keeps, per set of
targets, the order of the nodes those targets need (worked out once) and calls them in that order: the
same nodes, with the same inputs, give the same outputs; errors are raised as dask raised them (a
RuntimeError as GraphRunError, anything else as itself).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

_PLANS = "_policy_rasa_plans"
_dask_run = DaskGraphRunner.run  # Rasa's own (tests compare with it)

# (node name, the node, the names its inputs come from)
Step = tuple[str, Any, tuple[str, ...]]


def plan(schema: GraphSchema, nodes: dict[str, Any], targets: tuple[str, ...]) -> list[Step]:
    """The nodes `targets` depend on, each after everything it needs (a depth-first post-order)."""
    order: list[Step] = []
    placed: set[str] = set()

    def place(name: str) -> None:
        if name in placed or name not in schema.nodes:
            return  # an input placeholder (e.g. __message__) or a node already placed
        placed.add(name)
        needs = tuple(schema.nodes[name].needs.values())
        for need in needs:
            place(need)
        order.append((name, nodes[name], needs))

    for target in targets:
        place(target)
    return order


def run_in_order(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """DaskGraphRunner.run with the same results and errors, without dask."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    plans: dict[tuple[str, ...], list[Step]] = self.__dict__.setdefault(_PLANS, {})
    steps = plans.get(run_targets)
    if steps is None:
        steps = plans[run_targets] = plan(self._graph_schema, self._instantiated_nodes, run_targets)
    # what dask got: every node's output as (name, value); an input takes a node's place if it has its name
    results: dict[str, Any] = {}
    if inputs:
        DaskGraphRunner._add_inputs_to_graph(inputs, {name: None for name, _, _ in steps})
        results.update((name, (name, value)) for name, value in inputs.items())
    try:
        for name, node, needs in steps:
            if name not in results:
                # a name nothing provides is passed as the bare name, as dask did (the node then says so)
                results[name] = node(*(results.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


def install() -> None:
    DaskGraphRunner.run = run_in_order  # type: ignore[method-assign]
