-- Demo customers: every club status is present, and ids 1-20 are the user ids the ratings generator uses.
-- Loaded once, when the customers table is first created.
INSERT INTO customers (id, first_name, last_name, email, gender, club_status, comments) VALUES
  (1,  'Ada',      'Quillfeather', 'ada.quillfeather@example.com',  'Female', 'platinum', 'Prefers window seats'),
  (2,  'Bram',     'Okonkwo',      'bram.okonkwo@example.net',      'Male',   'platinum', 'Frequent weekend traveller'),
  (3,  'Celine',   'Marchetti',    'c.marchetti@example.org',       'Female', 'gold',     'Asked about lounge access'),
  (4,  'Dmitri',   'Vasquez',      'dvasquez@example.com',          'Male',   'silver',   'Travels with a bicycle'),
  (5,  'Esme',     'Thornbury',    'esme.t@example.net',            'Female', 'bronze',   'New this year'),
  (6,  'Farouk',   'Lindqvist',    'farouk.lindqvist@example.org',  'Male',   'platinum', 'Corporate account'),
  (7,  'Greta',    'Nakamura',     'greta.nakamura@example.com',    'Female', 'gold',     'Likes the quiet carriage'),
  (8,  'Hollis',   'Adeyemi',      'hadeyemi@example.net',          'Male',   'bronze',   'Complained about wifi once'),
  (9,  'Ines',     'Kowalczyk',    'ines.k@example.org',            'Female', 'silver',   'Books far ahead'),
  (10, 'Jules',    'Ferreira',     'jules.ferreira@example.com',    'Non-binary', 'platinum', 'Long-standing member'),
  (11, 'Kasimir',  'Oyelaran',     'k.oyelaran@example.net',        'Male',   'gold',     'Often changes bookings'),
  (12, 'Leontine', 'Brackwater',   'leontine.b@example.org',        'Female', 'silver',   'Travels with children'),
  (13, 'Mateo',    'Haldane',      'mateo.haldane@example.com',     'Male',   'bronze',   'Student discount'),
  (14, 'Nadia',    'Strand',       'nadia.strand@example.net',      'Female', 'platinum', 'Board member of a client'),
  (15, 'Osric',    'Vellacott',    'osric.v@example.org',           'Male',   'gold',     'Uses the mobile app'),
  (16, 'Priya',    'Castellanos',  'priya.castellanos@example.com', 'Female', 'silver',   'Gave feedback by phone'),
  (17, 'Quentin',  'Abernathy',    'q.abernathy@example.net',       'Male',   'bronze',   'Occasional traveller'),
  (18, 'Rosalind', 'Umeh',         'rosalind.umeh@example.org',     'Female', 'gold',     'Prefers email contact'),
  (19, 'Soren',    'Delacroix',    'soren.delacroix@example.com',   'Male',   'silver',   'Night trains only'),
  (20, 'Tamsin',   'Obradovic',    'tamsin.obradovic@example.net',  'Female', 'bronze',   'Signed up at a station kiosk');
