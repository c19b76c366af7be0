"""Experts, support programs and success cases (issue 18 § 3), as plain values and rules: what the operator keeps
in its directories, what members publish, how a member's ``Profile`` is matched to experts and programs with the
reasons for each match. No web framework, database or event loop here; ``support/store/experts.py`` keeps these
values and ``support/service/experts.py`` decides who may do what."""
