"""Process-level tuning shared by the bot and its detector workers."""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_objects"]


def freeze_startup_objects() -> None:
    """Keep what start-up loaded (model, lexicons, gazetteer: ~150,000 objects) out of garbage collection.

    A full collection walks every tracked object: about 50 ms with the detector loaded, paid by whichever
    reply happens to trigger it. Those objects live as long as the process, so scanning them is wasted.
    ``gc.unfreeze()`` undoes it (the bot does when it stops, for tests that start it again).
    """
    gc.collect()
    gc.freeze()
