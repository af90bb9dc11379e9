def test_home_page_in_turkish(client, make_campaign):
    make_campaign(title="25 Kasım deneme kampanyası")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="tr">' in html
    assert "Kampanyalar" in html or "Campaigns" in html
    assert "25 Kasım deneme kampanyası" in html
