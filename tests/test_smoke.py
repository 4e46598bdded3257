from django.urls import reverse


def test_home_redirects_service_head_to_my_actions(client_for):
    response = client_for("service_head").get(reverse("home"))
    assert response.url == reverse("actions:mine")


def test_action_list_renders(client_for, own_action, other_action):
    response = client_for("coordination").get(reverse("actions:list"))
    assert response.status_code == 200
    assert "FA1.1" in response.text and "FA2.1" in response.text
