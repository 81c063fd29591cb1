"""What a system refresh did, in one line for an operator."""


def describe_refresh(results) -> str:
    if not results:
        return "System refresh: sent; nothing listens to it yet."
    names = []
    for receiver, result in results:
        module = getattr(receiver, "__module__", None)
        qualname = getattr(receiver, "__qualname__", repr(receiver))
        name = f"{module}.{qualname}" if module else qualname
        if isinstance(result, Exception):
            names.append(f"{name} FAILED ({type(result).__name__}: {result})")
        elif result is None:
            names.append(name)
        else:
            names.append(f"{name}: {result}")
    return f"System refresh: sent to {len(results)} receivers: " + "; ".join(names)
