"""Jupyter kernels that cannot collide: IPC transport, one private folder per kernel.

papermill starts each kernel through jupyter_client, which by default binds five TCP
ports on 127.0.0.1. Two kernels started side by side can pick the same free port between
the check and the bind (``ZMQError: Address already in use``, papermill #511), and
ipykernel warns on every start that the kernel "is running over TCP without encryption".
:class:`IPCKernelManager` starts the kernel on jupyter_client's ``ipc`` transport instead:
its sockets are files in a folder created for that kernel alone (``mkdtemp``), so no two
kernels can share an address, nothing listens on the network, and no warning is printed.
The folder is removed when the kernel shuts down; a kernel whose parent dies exits by
itself within a second (ipykernel's parent poller). The kernel process's own stderr (its
log: "KeyboardInterrupt caught in kernel" when papermill interrupts it at shutdown, and
the like) goes to ``kernel.log`` in that folder instead of the batch's terminal; what the
notebook's cells print to stderr still reaches the notebook, through the kernel's
messages.

Unix socket paths are limited to about 100 bytes, so the folders live under a short base
(the batch's scratch folder, else the system temporary folder), never under the reports
folder.

:func:`kernel_manager_for` makes the class papermill is given for one task: it adds the
task's variables to the kernel's environment (nothing is set in the worker's own
``os.environ``, which tasks sharing a worker process would see), remembers its instances
so that a watchdog can kill a kernel that runs too long (:meth:`IPCKernelManager.kill_now`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager

__all__ = ["IPCKernelManager", "KERNEL_START_TIMEOUT", "KERNEL_ENV", "kernel_manager_for"]

#: Environment the kernels of the batch start with: charts drawn inline into the notebook
#: (an ``MPLBACKEND=Agg`` set for the batch's own process would otherwise reach the
#: kernels and leave every report without its charts).
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}

#: Seconds papermill waits for a kernel to start (its default, 60, is too short for a
#: loaded machine starting several kernels at once: papermill #239, #776).
KERNEL_START_TIMEOUT = 300


class IPCKernelManager(AsyncKernelManager):
    """An :class:`~jupyter_client.manager.AsyncKernelManager` on the ``ipc`` transport,
    with its connection file and sockets in a folder of its own (see the module docstring).
    Pass it to papermill as ``kernel_manager_class``."""

    #: Added to the kernel's environment.
    extra_env: dict[str, str] = {}
    #: Folder the kernel's own folder is made in (None: the system temporary folder).
    base: str | None = None
    #: The instances of this class (of one task, for :func:`kernel_manager_for` classes).
    instances: list[IPCKernelManager] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._folder = tempfile.mkdtemp(prefix="k-", dir=self.base)
        type(self).instances.append(self)
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", os.path.join(self._folder, "s"))
        kwargs.setdefault(
            "connection_file", os.path.join(self._folder, f"kernel-{uuid.uuid4().hex[:12]}.json")
        )
        super().__init__(*args, **kwargs)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.extra_env:
            kw["env"] = {**(kw.get("env") or os.environ), **self.extra_env}
        if "stderr" not in kw:
            self._log = open(os.path.join(self._folder, "kernel.log"), "ab")  # noqa: SIM115
            kw["stderr"] = self._log
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def kill_now(self) -> None:
        """Kill the kernel process at once (from another thread: the watchdog)."""
        process = getattr(getattr(self, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            log = getattr(self, "_log", None)
            if log is not None:
                log.close()
            shutil.rmtree(self._folder, ignore_errors=True)


def kernel_manager_for(env: dict[str, str], base: str | None = None) -> type[IPCKernelManager]:
    """A kernel manager class for one task: ``env`` added to its kernels' environment,
    their folders made in ``base``, its own list of instances."""
    return type(
        "TaskKernelManager",
        (IPCKernelManager,),
        {"extra_env": dict(env), "base": base, "instances": []},
    )
