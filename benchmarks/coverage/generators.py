"""Draws one dataset from each simulated population, as a dict of numpy columns.

Scores are probabilities (the standard normal cdf of a latent value), so a binary policy's
threshold 0.5 is the cut x >= c on the latent scale. Every function takes a numpy
Generator, so a dataset is a pure function of its seed.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np
from scipy.special import ndtr, ndtri

Columns = Dict[str, np.ndarray]


def correlated_normals(rng: np.random.Generator, n: int, rho: float) -> np.ndarray:
    """Two rows of standard normals with correlation rho (the models' errors)."""
    z = rng.standard_normal((2, n))
    z[1] = rho * z[0] + np.sqrt(1.0 - rho * rho) * z[1]
    return z


def binormal_pair(rng: np.random.Generator, n: int, prevalence: float, d_champion: np.ndarray,
                  d_challenger: np.ndarray, rho: float, cut: Optional[float] = None) -> Columns:
    """Y ~ Bernoulli(prevalence); each model's latent x = d Y + e, e ~ N(0, 1), the two e
    correlated rho; score Phi(x - cut), so the threshold 0.5 is the cut x >= cut (by
    default d/2, the midpoint). ``d_*`` may be per row (a segment's shift)."""
    y = rng.random(n) < prevalence
    e = correlated_normals(rng, n, rho)
    columns = {"y": y.astype(np.float64)}
    for k, (name, d) in enumerate((("champion", d_champion), ("challenger", d_challenger))):
        d = np.broadcast_to(np.asarray(d, dtype=np.float64), (n,))
        columns[name] = ndtr(d * y + e[k] - (d / 2.0 if cut is None else cut))
    return columns


def calibrated_uniform(rng: np.random.Generator, n: int) -> Columns:
    """U ~ Uniform(0, 1), Y ~ Bernoulli(U); the challenger scores U (calibrated), the
    champion U^2 (same ranking, miscalibrated)."""
    u = rng.random(n)
    y = (rng.random(n) < u).astype(np.float64)
    return {"y": y, "champion": u * u, "challenger": u}


def grouped_rates(rng: np.random.Generator, n: int, shares: Sequence[float], prevalence: Sequence[float],
                  rates: Dict[str, Sequence[Sequence[float]]], rho: float) -> Columns:
    """Groups g with the given shares and prevalences; for each model, rates[model] is a
    list of (TPR_g, FPR_g). Latent x = d_g Y + e with c_g = Phi^-1(1 - FPR_g) and
    d_g = c_g + Phi^-1(TPR_g); score Phi(x - c_g), so score >= 0.5 has exactly those rates."""
    group = rng.choice(len(shares), size=n, p=np.asarray(shares) / np.sum(shares))
    y = rng.random(n) < np.asarray(prevalence)[group]
    e = correlated_normals(rng, n, rho)
    columns = {"y": y.astype(np.float64), "group": group.astype(np.int64)}
    for k, name in enumerate(("champion", "challenger")):
        tpr, fpr = (np.asarray(v) for v in zip(*rates[name]))
        c = ndtri(1.0 - fpr)[group]
        d = c + ndtri(tpr)[group]
        columns[name] = ndtr(d * y + e[k] - c)
    return columns


def regression_pair(rng: np.random.Generator, n: int, sigma_champion: float, sigma_challenger: float,
                    rho: float) -> Columns:
    """y ~ N(0, 1); each model predicts y + sigma e, the two e correlated rho."""
    y = rng.standard_normal(n)
    e = correlated_normals(rng, n, rho)
    return {"y": y, "champion": y + sigma_champion * e[0], "challenger": y + sigma_challenger * e[1]}


def clustered_regression(rng: np.random.Generator, clusters: int, size: int, cluster_sd: Sequence[float],
                         row_sd: Sequence[float], rho: float) -> Columns:
    """Clusters of ``size`` rows; each model's error is a cluster effect N(0, cluster_sd^2)
    (the two models' effects correlated rho) plus a row error N(0, row_sd^2)."""
    n = clusters * size
    cluster = np.repeat(np.arange(clusters), size)
    effect = correlated_normals(rng, clusters, rho)[:, cluster]
    y = rng.standard_normal(n)
    columns = {"y": y, "cluster": cluster.astype(np.int64)}
    for k, name in enumerate(("champion", "challenger")):
        columns[name] = y + cluster_sd[k] * effect[k] + row_sd[k] * rng.standard_normal(n)
    return columns


def latency_pair(rng: np.random.Generator, n: int, mu: float, sigma: float, rate: float, rho: float) -> Columns:
    """Paired latencies through a Gaussian copula (correlation rho): the champion
    lognormal(mu, sigma), the challenger exponential(rate)."""
    z = correlated_normals(rng, n, rho)
    return {"latency_champion": np.exp(mu + sigma * z[0]),
            "latency_challenger": -np.log(ndtr(-z[1])) / rate}


def rare_discordance(rng: np.random.Generator, n: int, prevalence: float, sensitivity: float,
                     false_positive_rate: float, fixed: float, broken: float) -> Columns:
    """Paired predictions that rarely disagree. The champion predicts positive with the given
    sensitivity and false-positive rate; the challenger copies it, except that it is right
    on a share ``fixed`` of the champion's errors and wrong on a share ``broken`` of its
    correct rows. A positive prediction scores Uniform(0.5, 1), a negative Uniform(0, 0.5)."""
    y = rng.random(n) < prevalence
    champion = np.where(y, rng.random(n) < sensitivity, rng.random(n) < false_positive_rate)
    right = champion == y
    flip = rng.random(n) < np.where(right, broken, fixed)
    challenger = champion ^ flip
    columns = {"y": y.astype(np.float64)}
    for name, predicted in (("champion", champion), ("challenger", challenger)):
        columns[name] = 0.5 * (predicted + rng.random(n))
    return columns


def outcome_clustered(rng: np.random.Generator, prompts: int, generations: int, mu: Sequence[float],
                      prompt_sd: float, rho: float) -> Columns:
    """An LLM eval's graded results: ``prompts`` prompts of ``generations`` generations
    each. A model's result is mu + a prompt effect (shared by both models: the prompt's
    difficulty, sd ``prompt_sd``) + a generation error (sd sqrt(1 - prompt_sd^2), the two
    models' errors correlated ``rho``), so each result is N(mu, 1) at the margin."""
    n = prompts * generations
    prompt = np.repeat(np.arange(prompts), generations)
    difficulty = rng.standard_normal(prompts)[prompt]
    e = correlated_normals(rng, n, rho)
    row_sd = np.sqrt(1.0 - prompt_sd * prompt_sd)
    columns = {"prompt": prompt.astype(np.int64)}
    for k, name in enumerate(("champion", "challenger")):
        columns[name] = mu[k] + prompt_sd * difficulty + row_sd * e[k]
    return columns


def outcome_pass_fail(rng: np.random.Generator, n: int, mu: Sequence[float], rho: float) -> Columns:
    """Paired 0/1 results: a model passes when its latent N(mu, 1) is above 0 (so with
    probability Phi(mu)), the two latents correlated ``rho``."""
    e = correlated_normals(rng, n, rho)
    return {name: (mu[k] + e[k] > 0).astype(np.float64) for k, name in enumerate(("champion", "challenger"))}


def multiclass_softmax(rng: np.random.Generator, n: int, priors: Sequence[float], d: Sequence[float],
                       rho: float) -> Columns:
    """Y with the given class priors; each model's K latent scores s_k = d 1[Y = k] + e_k,
    e_k ~ N(0, 1) independent across classes and correlated ``rho`` between the models;
    probabilities softmax(s) in columns a_0..a_{K-1} (champion) and b_0.. (challenger)."""
    k = len(priors)
    y = rng.choice(k, size=n, p=np.asarray(priors) / np.sum(priors))
    e = correlated_normals(rng, n * k, rho).reshape(2, n, k)
    columns = {"y": y.astype(np.int64)}
    for m, prefix in enumerate(("a_", "b_")):
        s = d[m] * np.eye(k)[y] + e[m]
        z = np.exp(s - s.max(axis=1, keepdims=True))
        proba = z / z.sum(axis=1, keepdims=True)
        columns.update({f"{prefix}{j}": np.ascontiguousarray(proba[:, j]) for j in range(k)})
    return columns


def ranking_graded(rng: np.random.Generator, queries: int, docs: int, d: Sequence[float], rho: float) -> Columns:
    """``queries`` queries of ``docs`` documents; each document's relevance 0-3 drawn with
    truths.RANKING_RELEVANCE; each model scores d * relevance + e, e ~ N(0, 1) correlated
    ``rho`` between the models. Columns q (the query), rel, s_a (champion), s_b (challenger)."""
    from .truths import RANKING_RELEVANCE

    n = queries * docs
    rel = rng.choice(4, size=n, p=RANKING_RELEVANCE).astype(np.float64)
    e = correlated_normals(rng, n, rho)
    return {"q": np.repeat(np.arange(queries), docs).astype(np.int64), "rel": rel,
            "s_a": d[0] * rel + e[0], "s_b": d[1] * rel + e[1]}
