from reports.perms import can_read_bilans


def navigation(request):
    """The main navigation shows "Bilans" to those who may read them."""
    return {"can_read_bilans": can_read_bilans(request.user) if hasattr(request, "user") else False}
