-- One database per Haven service; each service's migrations create its tables.
CREATE DATABASE identity OWNER haven;
CREATE DATABASE charts OWNER haven;
CREATE DATABASE notify OWNER haven;
CREATE DATABASE scheduling OWNER haven;
CREATE DATABASE messaging OWNER haven;
CREATE DATABASE billing OWNER haven;
