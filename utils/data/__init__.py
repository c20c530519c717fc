"""Verified, offline-first datasets and weights: one package, a room per noun.

Every file the notebooks use is listed in ``data/catalog.toml`` with its origin URL, hash, size
and licence. A file is looked for in the local cache (``$KERAS_HOME``, by default ``data/cache/``,
Keras layout ``datasets/...``, ``models/...``), then in the mirror folder named by ``DLWP_MIRROR``,
then at its origin (never when ``DLWP_OFFLINE=1``); it is verified before use.

Map of the package (import from ``utils.data``; the names below are its public API)::

    catalog.py         the catalogue: entries parsed from data/catalog.toml, file hashing
    store.py           fetch / resolve / verify, DatasetUnavailable, ChecksumError, sources()
    encoding.py        multi-hot and one-hot encoders, index sequences back to words
    mnist.py           MNIST and Fashion-MNIST (official .npz, or the IDX files)
    imdb.py            IMDB sequences (official, or rebuilt from raw reviews) and the raw reviews
    reuters.py         Reuters newswires
    boston_housing.py  Boston housing prices
    images.py          the cats-vs-dogs folder and arrays; where notebooks save models
    glove.py           GloVe word vectors (glove.6B.100d) as a dict, and an Embedding weight matrix
    weather.py         weather series of chapter 6 (Jena, or hourly JFK from a PyPI package), split, windows
    notmnist.py        notMNIST letters (official archives) or Fashion-MNIST in their place: Supplement B
    cifar_frogs.py     CIFAR-10 frogs for 8.5's GAN (official archive, or pinned lossy JPEG copies)
    artworks.py        chapter 8's pictures: the style painting of 8.3, its packaged stand-in photo, square crops
    packaged.py        files shipped inside installed PyPI packages, verified before use
    nietzsche.py       the book's character-level corpus (8.1): Beyond Good and Evil, lower-cased
    text8.py           the text8 corpus (Supplement B), or aclImdb training reviews normalised the text8 way

How to add a dataset: ``data/README.md`` ("Adding a dataset").

>>> (x_train, y_train), (x_test, y_test) = load_mnist()
>>> sources()["mnist"]
'rebuilt: read from the four IDX files [mirror]'
"""

from __future__ import annotations

from . import notmnist as _notmnist
from . import text8 as _text8
from .artworks import STYLE_PAINTING, STYLE_SUBSTITUTE, load_picture, package_picture, style_image
from .boston_housing import load_boston_housing
from .catalog import (
    CATALOG_PATH,
    DATA_DIR,
    Catalog,
    FileEntry,
    TreeEntry,
    cache_dir,
    catalog,
    load_catalog,
    mirror_dir,
    offline,
    sha256_file,
)
from .cifar_frogs import (
    CIFAR10_FROG_LABEL,
    frog_jpeg_listing,
    frogs_from_cifar10_archive,
    load_cifar10_frogs,
)
from .encoding import decode_review, one_hot, vectorize_sequences
from .glove import GLOVE_DATASET, embedding_matrix, load_glove, parse_glove
from .images import (
    CATS_AND_DOGS_CLASSES,
    cats_and_dogs_dir,
    first_of_each_class,
    load_cats_and_dogs,
    model_path,
)
from .imdb import apply_imdb_conventions, imdb_raw_dir, imdb_word_index, load_imdb, tokenize_review
from .mnist import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist, read_idx
from .nietzsche import NIETZSCHE_DATASET, load_nietzsche
from .notmnist import (
    NOTMNIST_CLASSES,
    Letters,
    load_letters,
    load_notmnist,
    normalise_pixels,
    read_letter_archive,
)
from .packaged import package_file
from .reuters import load_reuters, reuters_word_index
from .store import (
    ChecksumError,
    DatasetUnavailable,
    Resolved,
    check_keras_home,
    fetch,
    fetch_checked,
    resolve,
    sources,
    weights_available,
)

# New dataset families: one import line each, below (keep the list sorted).
from .text8 import TextCorpus, load_imdb_text8, load_text8, load_text_corpus, normalise_text8  # noqa: E402
from .weather import (  # noqa: E402
    BOOK_SPLIT,
    WeatherSeries,
    WeatherSplit,
    WindowParams,
    load_jena_climate,
    load_jfk_weather,
    load_weather_series,
    split_and_normalise,
    split_rows,
    window_dataset,
    window_params,
)

# Datasets whose loader picks between the official files and a substitute: utils.start asks these
# probes which route the loader will take, so the banner names it before anything is loaded.
ROUTE_PROBES = {"notmnist": _notmnist.describe_route, "text8": _text8.describe_route}

__all__ = [
    "ROUTE_PROBES",
    "BOOK_SPLIT",
    "CATALOG_PATH",
    "CATS_AND_DOGS_CLASSES",
    "CIFAR10_FROG_LABEL",
    "DATA_DIR",
    "FASHION_MNIST_CLASSES",
    "Catalog",
    "ChecksumError",
    "DatasetUnavailable",
    "FileEntry",
    "GLOVE_DATASET",
    "Letters",
    "NIETZSCHE_DATASET",
    "NOTMNIST_CLASSES",
    "Resolved",
    "STYLE_PAINTING",
    "STYLE_SUBSTITUTE",
    "TextCorpus",
    "TreeEntry",
    "WeatherSeries",
    "WeatherSplit",
    "WindowParams",
    "apply_imdb_conventions",
    "cache_dir",
    "catalog",
    "cats_and_dogs_dir",
    "check_keras_home",
    "decode_review",
    "embedding_matrix",
    "fetch",
    "fetch_checked",
    "first_of_each_class",
    "frog_jpeg_listing",
    "frogs_from_cifar10_archive",
    "imdb_raw_dir",
    "imdb_word_index",
    "load_boston_housing",
    "load_catalog",
    "load_cats_and_dogs",
    "load_cifar10_frogs",
    "load_fashion_mnist",
    "load_glove",
    "load_imdb",
    "load_imdb_text8",
    "load_jena_climate",
    "load_jfk_weather",
    "load_letters",
    "load_mnist",
    "load_nietzsche",
    "load_notmnist",
    "load_picture",
    "load_reuters",
    "load_text8",
    "load_text_corpus",
    "load_weather_series",
    "mirror_dir",
    "model_path",
    "normalise_pixels",
    "normalise_text8",
    "offline",
    "one_hot",
    "package_file",
    "package_picture",
    "parse_glove",
    "read_idx",
    "read_letter_archive",
    "resolve",
    "reuters_word_index",
    "sha256_file",
    "sources",
    "split_and_normalise",
    "split_rows",
    "style_image",
    "tokenize_review",
    "vectorize_sequences",
    "weights_available",
    "window_dataset",
    "window_params",
]
