from evaluation.perms import can_read_surveys


def navigation(request):
    """The evaluation pages' sub-navigation shows "Enquêtes" to those who may read them."""
    return {"can_read_surveys": can_read_surveys(request.user) if hasattr(request, "user") else False}
