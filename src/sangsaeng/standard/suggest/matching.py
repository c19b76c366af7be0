"""The best one-to-one placing of fields in columns: the assignment with the largest total weight (Kuhn–Munkres,
the Hungarian method), so that a column goes to the field it names best rather than to the first that asks."""

from __future__ import annotations

from math import inf


def best_matching(weights: list[list[float]]) -> list[int | None]:
    """For each row (field) the column it gets, or None; a weight of 0 or less is "not a candidate".

    O(rows² × columns); rows are an entity's fields (a few dozen) and columns a sheet's, so this is instant."""
    rows = len(weights)
    real = len(weights[0]) if rows else 0
    width = real + rows  # one "nothing" column per row: a field may stay unplaced at no cost
    cost = [[-w for w in line] + [0.0] * rows for line in weights]
    u, v = [0.0] * (rows + 1), [0.0] * (width + 1)
    owner, way = [0] * (width + 1), [0] * (width + 1)
    for row in range(1, rows + 1):
        owner[0], column = row, 0
        lowest, used = [inf] * (width + 1), [False] * (width + 1)
        while True:
            used[column] = True
            current, delta, nearest = owner[column], inf, 0
            for j in range(1, width + 1):
                if used[j]:
                    continue
                reduced = cost[current - 1][j - 1] - u[current] - v[j]
                if reduced < lowest[j]:
                    lowest[j], way[j] = reduced, column
                if lowest[j] < delta:
                    delta, nearest = lowest[j], j
            for j in range(width + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    lowest[j] -= delta
            column = nearest
            if owner[column] == 0:
                break
        while column:
            previous = way[column]
            owner[column] = owner[previous]
            column = previous
    placed: list[int | None] = [None] * rows
    for j in range(1, real + 1):
        if owner[j] and weights[owner[j] - 1][j - 1] > 0:
            placed[owner[j] - 1] = j - 1
    return placed
