"""The distribution module's behaviour, re-exported by name: the only thing other modules
import."""

__all__: list[str] = []
