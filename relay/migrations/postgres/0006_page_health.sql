-- What the extension could not find on network pages (a heading, a name, result rows),
-- counted per day: a health signal that the network changed its pages.
CREATE TABLE page_health (
    day TEXT NOT NULL,
    page TEXT NOT NULL,
    missing TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, page, missing)
);
