BOOLEAN -> BOOLEAN: implicit=true explicit=true rule=false
BOOLEAN -> TINYINT: implicit=false explicit=true rule=true
BOOLEAN -> SMALLINT: implicit=false explicit=true rule=true
BOOLEAN -> INT: implicit=false explicit=true rule=true
BOOLEAN -> INT NOT NULL: implicit=false explicit=true rule=true
BOOLEAN -> BIGINT: implicit=false explicit=true rule=true
BOOLEAN -> FLOAT: implicit=false explicit=true rule=true
BOOLEAN -> DOUBLE: implicit=false explicit=true rule=true
BOOLEAN -> DECIMAL(10, 2): implicit=false explicit=true rule=true
BOOLEAN -> DECIMAL(20, 4): implicit=false explicit=true rule=true
BOOLEAN -> CHAR(5): implicit=false explicit=true rule=true
BOOLEAN -> VARCHAR(10): implicit=false explicit=true rule=true
BOOLEAN -> STRING: implicit=false explicit=true rule=true
BOOLEAN -> STRING NOT NULL: implicit=false explicit=true rule=true
BOOLEAN -> BINARY(4): implicit=false explicit=false rule=false
BOOLEAN -> VARBINARY(10): implicit=false explicit=false rule=false
BOOLEAN -> BYTES: implicit=false explicit=false rule=false
BOOLEAN -> DATE: implicit=false explicit=false rule=false
BOOLEAN -> TIME(0): implicit=false explicit=false rule=false
BOOLEAN -> TIME(3): implicit=false explicit=false rule=false
BOOLEAN -> TIMESTAMP(3): implicit=false explicit=false rule=false
BOOLEAN -> TIMESTAMP(6): implicit=false explicit=false rule=false
BOOLEAN -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
BOOLEAN -> ARRAY<INT>: implicit=false explicit=false rule=false
BOOLEAN -> ARRAY<STRING>: implicit=false explicit=false rule=false
BOOLEAN -> MAP<STRING, INT>: implicit=false explicit=false rule=false
BOOLEAN -> ROW<a INT>: implicit=false explicit=false rule=false
BOOLEAN -> MULTISET<INT>: implicit=false explicit=false rule=false
BOOLEAN -> VARIANT: implicit=false explicit=false rule=false
BOOLEAN -> BLOB: implicit=false explicit=false rule=false
TINYINT -> BOOLEAN: implicit=false explicit=true rule=true
TINYINT -> TINYINT: implicit=true explicit=true rule=true
TINYINT -> SMALLINT: implicit=true explicit=true rule=true
TINYINT -> INT: implicit=true explicit=true rule=true
TINYINT -> INT NOT NULL: implicit=false explicit=true rule=true
TINYINT -> BIGINT: implicit=true explicit=true rule=true
TINYINT -> FLOAT: implicit=true explicit=true rule=true
TINYINT -> DOUBLE: implicit=true explicit=true rule=true
TINYINT -> DECIMAL(10, 2): implicit=true explicit=true rule=true
TINYINT -> DECIMAL(20, 4): implicit=true explicit=true rule=true
TINYINT -> CHAR(5): implicit=false explicit=true rule=true
TINYINT -> VARCHAR(10): implicit=false explicit=true rule=true
TINYINT -> STRING: implicit=false explicit=true rule=true
TINYINT -> STRING NOT NULL: implicit=false explicit=true rule=true
TINYINT -> BINARY(4): implicit=false explicit=false rule=false
TINYINT -> VARBINARY(10): implicit=false explicit=false rule=false
TINYINT -> BYTES: implicit=false explicit=false rule=false
TINYINT -> DATE: implicit=false explicit=false rule=false
TINYINT -> TIME(0): implicit=false explicit=false rule=false
TINYINT -> TIME(3): implicit=false explicit=false rule=false
TINYINT -> TIMESTAMP(3): implicit=false explicit=true rule=false
TINYINT -> TIMESTAMP(6): implicit=false explicit=true rule=false
TINYINT -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=false
TINYINT -> ARRAY<INT>: implicit=false explicit=false rule=false
TINYINT -> ARRAY<STRING>: implicit=false explicit=false rule=false
TINYINT -> MAP<STRING, INT>: implicit=false explicit=false rule=false
TINYINT -> ROW<a INT>: implicit=false explicit=false rule=false
TINYINT -> MULTISET<INT>: implicit=false explicit=false rule=false
TINYINT -> VARIANT: implicit=false explicit=false rule=false
TINYINT -> BLOB: implicit=false explicit=false rule=false
SMALLINT -> BOOLEAN: implicit=false explicit=true rule=true
SMALLINT -> TINYINT: implicit=false explicit=true rule=true
SMALLINT -> SMALLINT: implicit=true explicit=true rule=true
SMALLINT -> INT: implicit=true explicit=true rule=true
SMALLINT -> INT NOT NULL: implicit=false explicit=true rule=true
SMALLINT -> BIGINT: implicit=true explicit=true rule=true
SMALLINT -> FLOAT: implicit=true explicit=true rule=true
SMALLINT -> DOUBLE: implicit=true explicit=true rule=true
SMALLINT -> DECIMAL(10, 2): implicit=true explicit=true rule=true
SMALLINT -> DECIMAL(20, 4): implicit=true explicit=true rule=true
SMALLINT -> CHAR(5): implicit=false explicit=true rule=true
SMALLINT -> VARCHAR(10): implicit=false explicit=true rule=true
SMALLINT -> STRING: implicit=false explicit=true rule=true
SMALLINT -> STRING NOT NULL: implicit=false explicit=true rule=true
SMALLINT -> BINARY(4): implicit=false explicit=false rule=false
SMALLINT -> VARBINARY(10): implicit=false explicit=false rule=false
SMALLINT -> BYTES: implicit=false explicit=false rule=false
SMALLINT -> DATE: implicit=false explicit=false rule=false
SMALLINT -> TIME(0): implicit=false explicit=false rule=false
SMALLINT -> TIME(3): implicit=false explicit=false rule=false
SMALLINT -> TIMESTAMP(3): implicit=false explicit=true rule=false
SMALLINT -> TIMESTAMP(6): implicit=false explicit=true rule=false
SMALLINT -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=false
SMALLINT -> ARRAY<INT>: implicit=false explicit=false rule=false
SMALLINT -> ARRAY<STRING>: implicit=false explicit=false rule=false
SMALLINT -> MAP<STRING, INT>: implicit=false explicit=false rule=false
SMALLINT -> ROW<a INT>: implicit=false explicit=false rule=false
SMALLINT -> MULTISET<INT>: implicit=false explicit=false rule=false
SMALLINT -> VARIANT: implicit=false explicit=false rule=false
SMALLINT -> BLOB: implicit=false explicit=false rule=false
INT -> BOOLEAN: implicit=false explicit=true rule=true
INT -> TINYINT: implicit=false explicit=true rule=true
INT -> SMALLINT: implicit=false explicit=true rule=true
INT -> INT: implicit=true explicit=true rule=true
INT -> INT NOT NULL: implicit=false explicit=true rule=true
INT -> BIGINT: implicit=true explicit=true rule=true
INT -> FLOAT: implicit=true explicit=true rule=true
INT -> DOUBLE: implicit=true explicit=true rule=true
INT -> DECIMAL(10, 2): implicit=true explicit=true rule=true
INT -> DECIMAL(20, 4): implicit=true explicit=true rule=true
INT -> CHAR(5): implicit=false explicit=true rule=true
INT -> VARCHAR(10): implicit=false explicit=true rule=true
INT -> STRING: implicit=false explicit=true rule=true
INT -> STRING NOT NULL: implicit=false explicit=true rule=true
INT -> BINARY(4): implicit=false explicit=false rule=false
INT -> VARBINARY(10): implicit=false explicit=false rule=false
INT -> BYTES: implicit=false explicit=false rule=false
INT -> DATE: implicit=false explicit=false rule=false
INT -> TIME(0): implicit=false explicit=false rule=false
INT -> TIME(3): implicit=false explicit=false rule=false
INT -> TIMESTAMP(3): implicit=false explicit=true rule=true
INT -> TIMESTAMP(6): implicit=false explicit=true rule=true
INT -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
INT -> ARRAY<INT>: implicit=false explicit=false rule=false
INT -> ARRAY<STRING>: implicit=false explicit=false rule=false
INT -> MAP<STRING, INT>: implicit=false explicit=false rule=false
INT -> ROW<a INT>: implicit=false explicit=false rule=false
INT -> MULTISET<INT>: implicit=false explicit=false rule=false
INT -> VARIANT: implicit=false explicit=false rule=false
INT -> BLOB: implicit=false explicit=false rule=false
INT NOT NULL -> BOOLEAN: implicit=false explicit=true rule=true
INT NOT NULL -> TINYINT: implicit=false explicit=true rule=true
INT NOT NULL -> SMALLINT: implicit=false explicit=true rule=true
INT NOT NULL -> INT: implicit=true explicit=true rule=true
INT NOT NULL -> INT NOT NULL: implicit=true explicit=true rule=true
INT NOT NULL -> BIGINT: implicit=true explicit=true rule=true
INT NOT NULL -> FLOAT: implicit=true explicit=true rule=true
INT NOT NULL -> DOUBLE: implicit=true explicit=true rule=true
INT NOT NULL -> DECIMAL(10, 2): implicit=true explicit=true rule=true
INT NOT NULL -> DECIMAL(20, 4): implicit=true explicit=true rule=true
INT NOT NULL -> CHAR(5): implicit=false explicit=true rule=true
INT NOT NULL -> VARCHAR(10): implicit=false explicit=true rule=true
INT NOT NULL -> STRING: implicit=false explicit=true rule=true
INT NOT NULL -> STRING NOT NULL: implicit=false explicit=true rule=true
INT NOT NULL -> BINARY(4): implicit=false explicit=false rule=false
INT NOT NULL -> VARBINARY(10): implicit=false explicit=false rule=false
INT NOT NULL -> BYTES: implicit=false explicit=false rule=false
INT NOT NULL -> DATE: implicit=false explicit=false rule=false
INT NOT NULL -> TIME(0): implicit=false explicit=false rule=false
INT NOT NULL -> TIME(3): implicit=false explicit=false rule=false
INT NOT NULL -> TIMESTAMP(3): implicit=false explicit=true rule=true
INT NOT NULL -> TIMESTAMP(6): implicit=false explicit=true rule=true
INT NOT NULL -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
INT NOT NULL -> ARRAY<INT>: implicit=false explicit=false rule=false
INT NOT NULL -> ARRAY<STRING>: implicit=false explicit=false rule=false
INT NOT NULL -> MAP<STRING, INT>: implicit=false explicit=false rule=false
INT NOT NULL -> ROW<a INT>: implicit=false explicit=false rule=false
INT NOT NULL -> MULTISET<INT>: implicit=false explicit=false rule=false
INT NOT NULL -> VARIANT: implicit=false explicit=false rule=false
INT NOT NULL -> BLOB: implicit=false explicit=false rule=false
BIGINT -> BOOLEAN: implicit=false explicit=true rule=true
BIGINT -> TINYINT: implicit=false explicit=true rule=true
BIGINT -> SMALLINT: implicit=false explicit=true rule=true
BIGINT -> INT: implicit=false explicit=true rule=true
BIGINT -> INT NOT NULL: implicit=false explicit=true rule=true
BIGINT -> BIGINT: implicit=true explicit=true rule=true
BIGINT -> FLOAT: implicit=true explicit=true rule=true
BIGINT -> DOUBLE: implicit=true explicit=true rule=true
BIGINT -> DECIMAL(10, 2): implicit=true explicit=true rule=true
BIGINT -> DECIMAL(20, 4): implicit=true explicit=true rule=true
BIGINT -> CHAR(5): implicit=false explicit=true rule=true
BIGINT -> VARCHAR(10): implicit=false explicit=true rule=true
BIGINT -> STRING: implicit=false explicit=true rule=true
BIGINT -> STRING NOT NULL: implicit=false explicit=true rule=true
BIGINT -> BINARY(4): implicit=false explicit=false rule=false
BIGINT -> VARBINARY(10): implicit=false explicit=false rule=false
BIGINT -> BYTES: implicit=false explicit=false rule=false
BIGINT -> DATE: implicit=false explicit=false rule=false
BIGINT -> TIME(0): implicit=false explicit=false rule=false
BIGINT -> TIME(3): implicit=false explicit=false rule=false
BIGINT -> TIMESTAMP(3): implicit=false explicit=true rule=true
BIGINT -> TIMESTAMP(6): implicit=false explicit=true rule=true
BIGINT -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
BIGINT -> ARRAY<INT>: implicit=false explicit=false rule=false
BIGINT -> ARRAY<STRING>: implicit=false explicit=false rule=false
BIGINT -> MAP<STRING, INT>: implicit=false explicit=false rule=false
BIGINT -> ROW<a INT>: implicit=false explicit=false rule=false
BIGINT -> MULTISET<INT>: implicit=false explicit=false rule=false
BIGINT -> VARIANT: implicit=false explicit=false rule=false
BIGINT -> BLOB: implicit=false explicit=false rule=false
FLOAT -> BOOLEAN: implicit=false explicit=false rule=false
FLOAT -> TINYINT: implicit=false explicit=true rule=true
FLOAT -> SMALLINT: implicit=false explicit=true rule=true
FLOAT -> INT: implicit=false explicit=true rule=true
FLOAT -> INT NOT NULL: implicit=false explicit=true rule=true
FLOAT -> BIGINT: implicit=false explicit=true rule=true
FLOAT -> FLOAT: implicit=true explicit=true rule=true
FLOAT -> DOUBLE: implicit=true explicit=true rule=true
FLOAT -> DECIMAL(10, 2): implicit=true explicit=true rule=true
FLOAT -> DECIMAL(20, 4): implicit=true explicit=true rule=true
FLOAT -> CHAR(5): implicit=false explicit=true rule=true
FLOAT -> VARCHAR(10): implicit=false explicit=true rule=true
FLOAT -> STRING: implicit=false explicit=true rule=true
FLOAT -> STRING NOT NULL: implicit=false explicit=true rule=true
FLOAT -> BINARY(4): implicit=false explicit=false rule=false
FLOAT -> VARBINARY(10): implicit=false explicit=false rule=false
FLOAT -> BYTES: implicit=false explicit=false rule=false
FLOAT -> DATE: implicit=false explicit=false rule=false
FLOAT -> TIME(0): implicit=false explicit=false rule=false
FLOAT -> TIME(3): implicit=false explicit=false rule=false
FLOAT -> TIMESTAMP(3): implicit=false explicit=true rule=false
FLOAT -> TIMESTAMP(6): implicit=false explicit=true rule=false
FLOAT -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=false
FLOAT -> ARRAY<INT>: implicit=false explicit=false rule=false
FLOAT -> ARRAY<STRING>: implicit=false explicit=false rule=false
FLOAT -> MAP<STRING, INT>: implicit=false explicit=false rule=false
FLOAT -> ROW<a INT>: implicit=false explicit=false rule=false
FLOAT -> MULTISET<INT>: implicit=false explicit=false rule=false
FLOAT -> VARIANT: implicit=false explicit=false rule=false
FLOAT -> BLOB: implicit=false explicit=false rule=false
DOUBLE -> BOOLEAN: implicit=false explicit=false rule=false
DOUBLE -> TINYINT: implicit=false explicit=true rule=true
DOUBLE -> SMALLINT: implicit=false explicit=true rule=true
DOUBLE -> INT: implicit=false explicit=true rule=true
DOUBLE -> INT NOT NULL: implicit=false explicit=true rule=true
DOUBLE -> BIGINT: implicit=false explicit=true rule=true
DOUBLE -> FLOAT: implicit=false explicit=true rule=true
DOUBLE -> DOUBLE: implicit=true explicit=true rule=true
DOUBLE -> DECIMAL(10, 2): implicit=true explicit=true rule=true
DOUBLE -> DECIMAL(20, 4): implicit=true explicit=true rule=true
DOUBLE -> CHAR(5): implicit=false explicit=true rule=true
DOUBLE -> VARCHAR(10): implicit=false explicit=true rule=true
DOUBLE -> STRING: implicit=false explicit=true rule=true
DOUBLE -> STRING NOT NULL: implicit=false explicit=true rule=true
DOUBLE -> BINARY(4): implicit=false explicit=false rule=false
DOUBLE -> VARBINARY(10): implicit=false explicit=false rule=false
DOUBLE -> BYTES: implicit=false explicit=false rule=false
DOUBLE -> DATE: implicit=false explicit=false rule=false
DOUBLE -> TIME(0): implicit=false explicit=false rule=false
DOUBLE -> TIME(3): implicit=false explicit=false rule=false
DOUBLE -> TIMESTAMP(3): implicit=false explicit=true rule=false
DOUBLE -> TIMESTAMP(6): implicit=false explicit=true rule=false
DOUBLE -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=false
DOUBLE -> ARRAY<INT>: implicit=false explicit=false rule=false
DOUBLE -> ARRAY<STRING>: implicit=false explicit=false rule=false
DOUBLE -> MAP<STRING, INT>: implicit=false explicit=false rule=false
DOUBLE -> ROW<a INT>: implicit=false explicit=false rule=false
DOUBLE -> MULTISET<INT>: implicit=false explicit=false rule=false
DOUBLE -> VARIANT: implicit=false explicit=false rule=false
DOUBLE -> BLOB: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> BOOLEAN: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> TINYINT: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> SMALLINT: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> INT: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> INT NOT NULL: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> BIGINT: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> FLOAT: implicit=true explicit=true rule=true
DECIMAL(10, 2) -> DOUBLE: implicit=true explicit=true rule=true
DECIMAL(10, 2) -> DECIMAL(10, 2): implicit=true explicit=true rule=true
DECIMAL(10, 2) -> DECIMAL(20, 4): implicit=true explicit=true rule=true
DECIMAL(10, 2) -> CHAR(5): implicit=false explicit=true rule=true
DECIMAL(10, 2) -> VARCHAR(10): implicit=false explicit=true rule=true
DECIMAL(10, 2) -> STRING: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> STRING NOT NULL: implicit=false explicit=true rule=true
DECIMAL(10, 2) -> BINARY(4): implicit=false explicit=false rule=false
DECIMAL(10, 2) -> VARBINARY(10): implicit=false explicit=false rule=false
DECIMAL(10, 2) -> BYTES: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> DATE: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> TIME(0): implicit=false explicit=false rule=false
DECIMAL(10, 2) -> TIME(3): implicit=false explicit=false rule=false
DECIMAL(10, 2) -> TIMESTAMP(3): implicit=false explicit=true rule=false
DECIMAL(10, 2) -> TIMESTAMP(6): implicit=false explicit=true rule=false
DECIMAL(10, 2) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=false
DECIMAL(10, 2) -> ARRAY<INT>: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> ARRAY<STRING>: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> ROW<a INT>: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> MULTISET<INT>: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> VARIANT: implicit=false explicit=false rule=false
DECIMAL(10, 2) -> BLOB: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> BOOLEAN: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> TINYINT: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> SMALLINT: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> INT: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> INT NOT NULL: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> BIGINT: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> FLOAT: implicit=true explicit=true rule=true
DECIMAL(20, 4) -> DOUBLE: implicit=true explicit=true rule=true
DECIMAL(20, 4) -> DECIMAL(10, 2): implicit=true explicit=true rule=true
DECIMAL(20, 4) -> DECIMAL(20, 4): implicit=true explicit=true rule=true
DECIMAL(20, 4) -> CHAR(5): implicit=false explicit=true rule=true
DECIMAL(20, 4) -> VARCHAR(10): implicit=false explicit=true rule=true
DECIMAL(20, 4) -> STRING: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> STRING NOT NULL: implicit=false explicit=true rule=true
DECIMAL(20, 4) -> BINARY(4): implicit=false explicit=false rule=false
DECIMAL(20, 4) -> VARBINARY(10): implicit=false explicit=false rule=false
DECIMAL(20, 4) -> BYTES: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> DATE: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> TIME(0): implicit=false explicit=false rule=false
DECIMAL(20, 4) -> TIME(3): implicit=false explicit=false rule=false
DECIMAL(20, 4) -> TIMESTAMP(3): implicit=false explicit=true rule=false
DECIMAL(20, 4) -> TIMESTAMP(6): implicit=false explicit=true rule=false
DECIMAL(20, 4) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=false
DECIMAL(20, 4) -> ARRAY<INT>: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> ARRAY<STRING>: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> ROW<a INT>: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> MULTISET<INT>: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> VARIANT: implicit=false explicit=false rule=false
DECIMAL(20, 4) -> BLOB: implicit=false explicit=false rule=false
CHAR(5) -> BOOLEAN: implicit=false explicit=true rule=true
CHAR(5) -> TINYINT: implicit=false explicit=true rule=true
CHAR(5) -> SMALLINT: implicit=false explicit=true rule=true
CHAR(5) -> INT: implicit=false explicit=true rule=true
CHAR(5) -> INT NOT NULL: implicit=false explicit=true rule=true
CHAR(5) -> BIGINT: implicit=false explicit=true rule=true
CHAR(5) -> FLOAT: implicit=false explicit=true rule=true
CHAR(5) -> DOUBLE: implicit=false explicit=true rule=true
CHAR(5) -> DECIMAL(10, 2): implicit=false explicit=true rule=true
CHAR(5) -> DECIMAL(20, 4): implicit=false explicit=true rule=true
CHAR(5) -> CHAR(5): implicit=true explicit=true rule=true
CHAR(5) -> VARCHAR(10): implicit=true explicit=true rule=true
CHAR(5) -> STRING: implicit=true explicit=true rule=true
CHAR(5) -> STRING NOT NULL: implicit=false explicit=true rule=true
CHAR(5) -> BINARY(4): implicit=false explicit=true rule=true
CHAR(5) -> VARBINARY(10): implicit=false explicit=true rule=true
CHAR(5) -> BYTES: implicit=false explicit=true rule=true
CHAR(5) -> DATE: implicit=false explicit=true rule=true
CHAR(5) -> TIME(0): implicit=false explicit=true rule=true
CHAR(5) -> TIME(3): implicit=false explicit=true rule=true
CHAR(5) -> TIMESTAMP(3): implicit=false explicit=true rule=true
CHAR(5) -> TIMESTAMP(6): implicit=false explicit=true rule=true
CHAR(5) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
CHAR(5) -> ARRAY<INT>: implicit=false explicit=false rule=true
CHAR(5) -> ARRAY<STRING>: implicit=false explicit=false rule=true
CHAR(5) -> MAP<STRING, INT>: implicit=false explicit=false rule=true
CHAR(5) -> ROW<a INT>: implicit=false explicit=false rule=true
CHAR(5) -> MULTISET<INT>: implicit=false explicit=false rule=false
CHAR(5) -> VARIANT: implicit=false explicit=false rule=false
CHAR(5) -> BLOB: implicit=false explicit=false rule=false
VARCHAR(10) -> BOOLEAN: implicit=false explicit=true rule=true
VARCHAR(10) -> TINYINT: implicit=false explicit=true rule=true
VARCHAR(10) -> SMALLINT: implicit=false explicit=true rule=true
VARCHAR(10) -> INT: implicit=false explicit=true rule=true
VARCHAR(10) -> INT NOT NULL: implicit=false explicit=true rule=true
VARCHAR(10) -> BIGINT: implicit=false explicit=true rule=true
VARCHAR(10) -> FLOAT: implicit=false explicit=true rule=true
VARCHAR(10) -> DOUBLE: implicit=false explicit=true rule=true
VARCHAR(10) -> DECIMAL(10, 2): implicit=false explicit=true rule=true
VARCHAR(10) -> DECIMAL(20, 4): implicit=false explicit=true rule=true
VARCHAR(10) -> CHAR(5): implicit=false explicit=true rule=true
VARCHAR(10) -> VARCHAR(10): implicit=true explicit=true rule=true
VARCHAR(10) -> STRING: implicit=true explicit=true rule=true
VARCHAR(10) -> STRING NOT NULL: implicit=false explicit=true rule=true
VARCHAR(10) -> BINARY(4): implicit=false explicit=true rule=true
VARCHAR(10) -> VARBINARY(10): implicit=false explicit=true rule=true
VARCHAR(10) -> BYTES: implicit=false explicit=true rule=true
VARCHAR(10) -> DATE: implicit=false explicit=true rule=true
VARCHAR(10) -> TIME(0): implicit=false explicit=true rule=true
VARCHAR(10) -> TIME(3): implicit=false explicit=true rule=true
VARCHAR(10) -> TIMESTAMP(3): implicit=false explicit=true rule=true
VARCHAR(10) -> TIMESTAMP(6): implicit=false explicit=true rule=true
VARCHAR(10) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
VARCHAR(10) -> ARRAY<INT>: implicit=false explicit=false rule=true
VARCHAR(10) -> ARRAY<STRING>: implicit=false explicit=false rule=true
VARCHAR(10) -> MAP<STRING, INT>: implicit=false explicit=false rule=true
VARCHAR(10) -> ROW<a INT>: implicit=false explicit=false rule=true
VARCHAR(10) -> MULTISET<INT>: implicit=false explicit=false rule=false
VARCHAR(10) -> VARIANT: implicit=false explicit=false rule=false
VARCHAR(10) -> BLOB: implicit=false explicit=false rule=false
STRING -> BOOLEAN: implicit=false explicit=true rule=true
STRING -> TINYINT: implicit=false explicit=true rule=true
STRING -> SMALLINT: implicit=false explicit=true rule=true
STRING -> INT: implicit=false explicit=true rule=true
STRING -> INT NOT NULL: implicit=false explicit=true rule=true
STRING -> BIGINT: implicit=false explicit=true rule=true
STRING -> FLOAT: implicit=false explicit=true rule=true
STRING -> DOUBLE: implicit=false explicit=true rule=true
STRING -> DECIMAL(10, 2): implicit=false explicit=true rule=true
STRING -> DECIMAL(20, 4): implicit=false explicit=true rule=true
STRING -> CHAR(5): implicit=false explicit=true rule=true
STRING -> VARCHAR(10): implicit=true explicit=true rule=true
STRING -> STRING: implicit=true explicit=true rule=true
STRING -> STRING NOT NULL: implicit=false explicit=true rule=true
STRING -> BINARY(4): implicit=false explicit=true rule=true
STRING -> VARBINARY(10): implicit=false explicit=true rule=true
STRING -> BYTES: implicit=false explicit=true rule=true
STRING -> DATE: implicit=false explicit=true rule=true
STRING -> TIME(0): implicit=false explicit=true rule=true
STRING -> TIME(3): implicit=false explicit=true rule=true
STRING -> TIMESTAMP(3): implicit=false explicit=true rule=true
STRING -> TIMESTAMP(6): implicit=false explicit=true rule=true
STRING -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
STRING -> ARRAY<INT>: implicit=false explicit=false rule=true
STRING -> ARRAY<STRING>: implicit=false explicit=false rule=true
STRING -> MAP<STRING, INT>: implicit=false explicit=false rule=true
STRING -> ROW<a INT>: implicit=false explicit=false rule=true
STRING -> MULTISET<INT>: implicit=false explicit=false rule=false
STRING -> VARIANT: implicit=false explicit=false rule=false
STRING -> BLOB: implicit=false explicit=false rule=false
STRING NOT NULL -> BOOLEAN: implicit=false explicit=true rule=true
STRING NOT NULL -> TINYINT: implicit=false explicit=true rule=true
STRING NOT NULL -> SMALLINT: implicit=false explicit=true rule=true
STRING NOT NULL -> INT: implicit=false explicit=true rule=true
STRING NOT NULL -> INT NOT NULL: implicit=false explicit=true rule=true
STRING NOT NULL -> BIGINT: implicit=false explicit=true rule=true
STRING NOT NULL -> FLOAT: implicit=false explicit=true rule=true
STRING NOT NULL -> DOUBLE: implicit=false explicit=true rule=true
STRING NOT NULL -> DECIMAL(10, 2): implicit=false explicit=true rule=true
STRING NOT NULL -> DECIMAL(20, 4): implicit=false explicit=true rule=true
STRING NOT NULL -> CHAR(5): implicit=false explicit=true rule=true
STRING NOT NULL -> VARCHAR(10): implicit=true explicit=true rule=true
STRING NOT NULL -> STRING: implicit=true explicit=true rule=true
STRING NOT NULL -> STRING NOT NULL: implicit=true explicit=true rule=true
STRING NOT NULL -> BINARY(4): implicit=false explicit=true rule=true
STRING NOT NULL -> VARBINARY(10): implicit=false explicit=true rule=true
STRING NOT NULL -> BYTES: implicit=false explicit=true rule=true
STRING NOT NULL -> DATE: implicit=false explicit=true rule=true
STRING NOT NULL -> TIME(0): implicit=false explicit=true rule=true
STRING NOT NULL -> TIME(3): implicit=false explicit=true rule=true
STRING NOT NULL -> TIMESTAMP(3): implicit=false explicit=true rule=true
STRING NOT NULL -> TIMESTAMP(6): implicit=false explicit=true rule=true
STRING NOT NULL -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
STRING NOT NULL -> ARRAY<INT>: implicit=false explicit=false rule=true
STRING NOT NULL -> ARRAY<STRING>: implicit=false explicit=false rule=true
STRING NOT NULL -> MAP<STRING, INT>: implicit=false explicit=false rule=true
STRING NOT NULL -> ROW<a INT>: implicit=false explicit=false rule=true
STRING NOT NULL -> MULTISET<INT>: implicit=false explicit=false rule=false
STRING NOT NULL -> VARIANT: implicit=false explicit=false rule=false
STRING NOT NULL -> BLOB: implicit=false explicit=false rule=false
BINARY(4) -> BOOLEAN: implicit=false explicit=false rule=false
BINARY(4) -> TINYINT: implicit=false explicit=false rule=false
BINARY(4) -> SMALLINT: implicit=false explicit=false rule=false
BINARY(4) -> INT: implicit=false explicit=false rule=false
BINARY(4) -> INT NOT NULL: implicit=false explicit=false rule=false
BINARY(4) -> BIGINT: implicit=false explicit=false rule=false
BINARY(4) -> FLOAT: implicit=false explicit=false rule=false
BINARY(4) -> DOUBLE: implicit=false explicit=false rule=false
BINARY(4) -> DECIMAL(10, 2): implicit=false explicit=false rule=false
BINARY(4) -> DECIMAL(20, 4): implicit=false explicit=false rule=false
BINARY(4) -> CHAR(5): implicit=false explicit=true rule=true
BINARY(4) -> VARCHAR(10): implicit=false explicit=true rule=true
BINARY(4) -> STRING: implicit=false explicit=true rule=true
BINARY(4) -> STRING NOT NULL: implicit=false explicit=true rule=true
BINARY(4) -> BINARY(4): implicit=true explicit=true rule=true
BINARY(4) -> VARBINARY(10): implicit=true explicit=true rule=true
BINARY(4) -> BYTES: implicit=true explicit=true rule=true
BINARY(4) -> DATE: implicit=false explicit=false rule=false
BINARY(4) -> TIME(0): implicit=false explicit=false rule=false
BINARY(4) -> TIME(3): implicit=false explicit=false rule=false
BINARY(4) -> TIMESTAMP(3): implicit=false explicit=false rule=false
BINARY(4) -> TIMESTAMP(6): implicit=false explicit=false rule=false
BINARY(4) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
BINARY(4) -> ARRAY<INT>: implicit=false explicit=false rule=false
BINARY(4) -> ARRAY<STRING>: implicit=false explicit=false rule=false
BINARY(4) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
BINARY(4) -> ROW<a INT>: implicit=false explicit=false rule=false
BINARY(4) -> MULTISET<INT>: implicit=false explicit=false rule=false
BINARY(4) -> VARIANT: implicit=false explicit=false rule=false
BINARY(4) -> BLOB: implicit=false explicit=false rule=false
VARBINARY(10) -> BOOLEAN: implicit=false explicit=false rule=false
VARBINARY(10) -> TINYINT: implicit=false explicit=false rule=false
VARBINARY(10) -> SMALLINT: implicit=false explicit=false rule=false
VARBINARY(10) -> INT: implicit=false explicit=false rule=false
VARBINARY(10) -> INT NOT NULL: implicit=false explicit=false rule=false
VARBINARY(10) -> BIGINT: implicit=false explicit=false rule=false
VARBINARY(10) -> FLOAT: implicit=false explicit=false rule=false
VARBINARY(10) -> DOUBLE: implicit=false explicit=false rule=false
VARBINARY(10) -> DECIMAL(10, 2): implicit=false explicit=false rule=false
VARBINARY(10) -> DECIMAL(20, 4): implicit=false explicit=false rule=false
VARBINARY(10) -> CHAR(5): implicit=false explicit=true rule=true
VARBINARY(10) -> VARCHAR(10): implicit=false explicit=true rule=true
VARBINARY(10) -> STRING: implicit=false explicit=true rule=true
VARBINARY(10) -> STRING NOT NULL: implicit=false explicit=true rule=true
VARBINARY(10) -> BINARY(4): implicit=false explicit=true rule=true
VARBINARY(10) -> VARBINARY(10): implicit=true explicit=true rule=true
VARBINARY(10) -> BYTES: implicit=true explicit=true rule=true
VARBINARY(10) -> DATE: implicit=false explicit=false rule=false
VARBINARY(10) -> TIME(0): implicit=false explicit=false rule=false
VARBINARY(10) -> TIME(3): implicit=false explicit=false rule=false
VARBINARY(10) -> TIMESTAMP(3): implicit=false explicit=false rule=false
VARBINARY(10) -> TIMESTAMP(6): implicit=false explicit=false rule=false
VARBINARY(10) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
VARBINARY(10) -> ARRAY<INT>: implicit=false explicit=false rule=false
VARBINARY(10) -> ARRAY<STRING>: implicit=false explicit=false rule=false
VARBINARY(10) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
VARBINARY(10) -> ROW<a INT>: implicit=false explicit=false rule=false
VARBINARY(10) -> MULTISET<INT>: implicit=false explicit=false rule=false
VARBINARY(10) -> VARIANT: implicit=false explicit=false rule=false
VARBINARY(10) -> BLOB: implicit=false explicit=false rule=false
BYTES -> BOOLEAN: implicit=false explicit=false rule=false
BYTES -> TINYINT: implicit=false explicit=false rule=false
BYTES -> SMALLINT: implicit=false explicit=false rule=false
BYTES -> INT: implicit=false explicit=false rule=false
BYTES -> INT NOT NULL: implicit=false explicit=false rule=false
BYTES -> BIGINT: implicit=false explicit=false rule=false
BYTES -> FLOAT: implicit=false explicit=false rule=false
BYTES -> DOUBLE: implicit=false explicit=false rule=false
BYTES -> DECIMAL(10, 2): implicit=false explicit=false rule=false
BYTES -> DECIMAL(20, 4): implicit=false explicit=false rule=false
BYTES -> CHAR(5): implicit=false explicit=true rule=true
BYTES -> VARCHAR(10): implicit=false explicit=true rule=true
BYTES -> STRING: implicit=false explicit=true rule=true
BYTES -> STRING NOT NULL: implicit=false explicit=true rule=true
BYTES -> BINARY(4): implicit=false explicit=true rule=true
BYTES -> VARBINARY(10): implicit=true explicit=true rule=true
BYTES -> BYTES: implicit=true explicit=true rule=true
BYTES -> DATE: implicit=false explicit=false rule=false
BYTES -> TIME(0): implicit=false explicit=false rule=false
BYTES -> TIME(3): implicit=false explicit=false rule=false
BYTES -> TIMESTAMP(3): implicit=false explicit=false rule=false
BYTES -> TIMESTAMP(6): implicit=false explicit=false rule=false
BYTES -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
BYTES -> ARRAY<INT>: implicit=false explicit=false rule=false
BYTES -> ARRAY<STRING>: implicit=false explicit=false rule=false
BYTES -> MAP<STRING, INT>: implicit=false explicit=false rule=false
BYTES -> ROW<a INT>: implicit=false explicit=false rule=false
BYTES -> MULTISET<INT>: implicit=false explicit=false rule=false
BYTES -> VARIANT: implicit=false explicit=false rule=false
BYTES -> BLOB: implicit=false explicit=false rule=false
DATE -> BOOLEAN: implicit=false explicit=false rule=false
DATE -> TINYINT: implicit=false explicit=false rule=false
DATE -> SMALLINT: implicit=false explicit=false rule=false
DATE -> INT: implicit=false explicit=false rule=false
DATE -> INT NOT NULL: implicit=false explicit=false rule=false
DATE -> BIGINT: implicit=false explicit=false rule=false
DATE -> FLOAT: implicit=false explicit=false rule=false
DATE -> DOUBLE: implicit=false explicit=false rule=false
DATE -> DECIMAL(10, 2): implicit=false explicit=false rule=false
DATE -> DECIMAL(20, 4): implicit=false explicit=false rule=false
DATE -> CHAR(5): implicit=false explicit=true rule=false
DATE -> VARCHAR(10): implicit=false explicit=true rule=false
DATE -> STRING: implicit=false explicit=true rule=true
DATE -> STRING NOT NULL: implicit=false explicit=true rule=false
DATE -> BINARY(4): implicit=false explicit=false rule=false
DATE -> VARBINARY(10): implicit=false explicit=false rule=false
DATE -> BYTES: implicit=false explicit=false rule=false
DATE -> DATE: implicit=true explicit=true rule=false
DATE -> TIME(0): implicit=false explicit=false rule=false
DATE -> TIME(3): implicit=false explicit=false rule=false
DATE -> TIMESTAMP(3): implicit=false explicit=true rule=true
DATE -> TIMESTAMP(6): implicit=false explicit=true rule=true
DATE -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
DATE -> ARRAY<INT>: implicit=false explicit=false rule=false
DATE -> ARRAY<STRING>: implicit=false explicit=false rule=false
DATE -> MAP<STRING, INT>: implicit=false explicit=false rule=false
DATE -> ROW<a INT>: implicit=false explicit=false rule=false
DATE -> MULTISET<INT>: implicit=false explicit=false rule=false
DATE -> VARIANT: implicit=false explicit=false rule=false
DATE -> BLOB: implicit=false explicit=false rule=false
TIME(0) -> BOOLEAN: implicit=false explicit=false rule=false
TIME(0) -> TINYINT: implicit=false explicit=false rule=false
TIME(0) -> SMALLINT: implicit=false explicit=false rule=false
TIME(0) -> INT: implicit=false explicit=false rule=false
TIME(0) -> INT NOT NULL: implicit=false explicit=false rule=false
TIME(0) -> BIGINT: implicit=false explicit=false rule=false
TIME(0) -> FLOAT: implicit=false explicit=false rule=false
TIME(0) -> DOUBLE: implicit=false explicit=false rule=false
TIME(0) -> DECIMAL(10, 2): implicit=false explicit=false rule=false
TIME(0) -> DECIMAL(20, 4): implicit=false explicit=false rule=false
TIME(0) -> CHAR(5): implicit=false explicit=true rule=false
TIME(0) -> VARCHAR(10): implicit=false explicit=true rule=false
TIME(0) -> STRING: implicit=false explicit=true rule=true
TIME(0) -> STRING NOT NULL: implicit=false explicit=true rule=false
TIME(0) -> BINARY(4): implicit=false explicit=false rule=false
TIME(0) -> VARBINARY(10): implicit=false explicit=false rule=false
TIME(0) -> BYTES: implicit=false explicit=false rule=false
TIME(0) -> DATE: implicit=false explicit=false rule=false
TIME(0) -> TIME(0): implicit=true explicit=true rule=false
TIME(0) -> TIME(3): implicit=true explicit=true rule=false
TIME(0) -> TIMESTAMP(3): implicit=false explicit=true rule=true
TIME(0) -> TIMESTAMP(6): implicit=false explicit=true rule=true
TIME(0) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
TIME(0) -> ARRAY<INT>: implicit=false explicit=false rule=false
TIME(0) -> ARRAY<STRING>: implicit=false explicit=false rule=false
TIME(0) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
TIME(0) -> ROW<a INT>: implicit=false explicit=false rule=false
TIME(0) -> MULTISET<INT>: implicit=false explicit=false rule=false
TIME(0) -> VARIANT: implicit=false explicit=false rule=false
TIME(0) -> BLOB: implicit=false explicit=false rule=false
TIME(3) -> BOOLEAN: implicit=false explicit=false rule=false
TIME(3) -> TINYINT: implicit=false explicit=false rule=false
TIME(3) -> SMALLINT: implicit=false explicit=false rule=false
TIME(3) -> INT: implicit=false explicit=false rule=false
TIME(3) -> INT NOT NULL: implicit=false explicit=false rule=false
TIME(3) -> BIGINT: implicit=false explicit=false rule=false
TIME(3) -> FLOAT: implicit=false explicit=false rule=false
TIME(3) -> DOUBLE: implicit=false explicit=false rule=false
TIME(3) -> DECIMAL(10, 2): implicit=false explicit=false rule=false
TIME(3) -> DECIMAL(20, 4): implicit=false explicit=false rule=false
TIME(3) -> CHAR(5): implicit=false explicit=true rule=false
TIME(3) -> VARCHAR(10): implicit=false explicit=true rule=false
TIME(3) -> STRING: implicit=false explicit=true rule=true
TIME(3) -> STRING NOT NULL: implicit=false explicit=true rule=false
TIME(3) -> BINARY(4): implicit=false explicit=false rule=false
TIME(3) -> VARBINARY(10): implicit=false explicit=false rule=false
TIME(3) -> BYTES: implicit=false explicit=false rule=false
TIME(3) -> DATE: implicit=false explicit=false rule=false
TIME(3) -> TIME(0): implicit=true explicit=true rule=false
TIME(3) -> TIME(3): implicit=true explicit=true rule=false
TIME(3) -> TIMESTAMP(3): implicit=false explicit=true rule=true
TIME(3) -> TIMESTAMP(6): implicit=false explicit=true rule=true
TIME(3) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=true rule=true
TIME(3) -> ARRAY<INT>: implicit=false explicit=false rule=false
TIME(3) -> ARRAY<STRING>: implicit=false explicit=false rule=false
TIME(3) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
TIME(3) -> ROW<a INT>: implicit=false explicit=false rule=false
TIME(3) -> MULTISET<INT>: implicit=false explicit=false rule=false
TIME(3) -> VARIANT: implicit=false explicit=false rule=false
TIME(3) -> BLOB: implicit=false explicit=false rule=false
TIMESTAMP(3) -> BOOLEAN: implicit=false explicit=false rule=false
TIMESTAMP(3) -> TINYINT: implicit=false explicit=true rule=false
TIMESTAMP(3) -> SMALLINT: implicit=false explicit=true rule=false
TIMESTAMP(3) -> INT: implicit=false explicit=true rule=true
TIMESTAMP(3) -> INT NOT NULL: implicit=false explicit=true rule=true
TIMESTAMP(3) -> BIGINT: implicit=false explicit=true rule=true
TIMESTAMP(3) -> FLOAT: implicit=false explicit=true rule=false
TIMESTAMP(3) -> DOUBLE: implicit=false explicit=true rule=false
TIMESTAMP(3) -> DECIMAL(10, 2): implicit=false explicit=true rule=false
TIMESTAMP(3) -> DECIMAL(20, 4): implicit=false explicit=true rule=false
TIMESTAMP(3) -> CHAR(5): implicit=false explicit=true rule=false
TIMESTAMP(3) -> VARCHAR(10): implicit=false explicit=true rule=false
TIMESTAMP(3) -> STRING: implicit=false explicit=true rule=true
TIMESTAMP(3) -> STRING NOT NULL: implicit=false explicit=true rule=false
TIMESTAMP(3) -> BINARY(4): implicit=false explicit=false rule=false
TIMESTAMP(3) -> VARBINARY(10): implicit=false explicit=false rule=false
TIMESTAMP(3) -> BYTES: implicit=false explicit=false rule=false
TIMESTAMP(3) -> DATE: implicit=true explicit=true rule=true
TIMESTAMP(3) -> TIME(0): implicit=true explicit=true rule=true
TIMESTAMP(3) -> TIME(3): implicit=true explicit=true rule=true
TIMESTAMP(3) -> TIMESTAMP(3): implicit=true explicit=true rule=true
TIMESTAMP(3) -> TIMESTAMP(6): implicit=true explicit=true rule=true
TIMESTAMP(3) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=true explicit=true rule=true
TIMESTAMP(3) -> ARRAY<INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) -> ARRAY<STRING>: implicit=false explicit=false rule=false
TIMESTAMP(3) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) -> ROW<a INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) -> MULTISET<INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) -> VARIANT: implicit=false explicit=false rule=false
TIMESTAMP(3) -> BLOB: implicit=false explicit=false rule=false
TIMESTAMP(6) -> BOOLEAN: implicit=false explicit=false rule=false
TIMESTAMP(6) -> TINYINT: implicit=false explicit=true rule=false
TIMESTAMP(6) -> SMALLINT: implicit=false explicit=true rule=false
TIMESTAMP(6) -> INT: implicit=false explicit=true rule=true
TIMESTAMP(6) -> INT NOT NULL: implicit=false explicit=true rule=true
TIMESTAMP(6) -> BIGINT: implicit=false explicit=true rule=true
TIMESTAMP(6) -> FLOAT: implicit=false explicit=true rule=false
TIMESTAMP(6) -> DOUBLE: implicit=false explicit=true rule=false
TIMESTAMP(6) -> DECIMAL(10, 2): implicit=false explicit=true rule=false
TIMESTAMP(6) -> DECIMAL(20, 4): implicit=false explicit=true rule=false
TIMESTAMP(6) -> CHAR(5): implicit=false explicit=true rule=false
TIMESTAMP(6) -> VARCHAR(10): implicit=false explicit=true rule=false
TIMESTAMP(6) -> STRING: implicit=false explicit=true rule=true
TIMESTAMP(6) -> STRING NOT NULL: implicit=false explicit=true rule=false
TIMESTAMP(6) -> BINARY(4): implicit=false explicit=false rule=false
TIMESTAMP(6) -> VARBINARY(10): implicit=false explicit=false rule=false
TIMESTAMP(6) -> BYTES: implicit=false explicit=false rule=false
TIMESTAMP(6) -> DATE: implicit=true explicit=true rule=true
TIMESTAMP(6) -> TIME(0): implicit=true explicit=true rule=true
TIMESTAMP(6) -> TIME(3): implicit=true explicit=true rule=true
TIMESTAMP(6) -> TIMESTAMP(3): implicit=true explicit=true rule=true
TIMESTAMP(6) -> TIMESTAMP(6): implicit=true explicit=true rule=true
TIMESTAMP(6) -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=true explicit=true rule=true
TIMESTAMP(6) -> ARRAY<INT>: implicit=false explicit=false rule=false
TIMESTAMP(6) -> ARRAY<STRING>: implicit=false explicit=false rule=false
TIMESTAMP(6) -> MAP<STRING, INT>: implicit=false explicit=false rule=false
TIMESTAMP(6) -> ROW<a INT>: implicit=false explicit=false rule=false
TIMESTAMP(6) -> MULTISET<INT>: implicit=false explicit=false rule=false
TIMESTAMP(6) -> VARIANT: implicit=false explicit=false rule=false
TIMESTAMP(6) -> BLOB: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> BOOLEAN: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> TINYINT: implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> SMALLINT: implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> INT: implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> INT NOT NULL: implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> BIGINT: implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> FLOAT: implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> DOUBLE: implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> DECIMAL(10, 2): implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> DECIMAL(20, 4): implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> CHAR(5): implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> VARCHAR(10): implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> STRING: implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> STRING NOT NULL: implicit=false explicit=true rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> BINARY(4): implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> VARBINARY(10): implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> BYTES: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> DATE: implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> TIME(0): implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> TIME(3): implicit=false explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> TIMESTAMP(3): implicit=true explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> TIMESTAMP(6): implicit=true explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=true explicit=true rule=true
TIMESTAMP(3) WITH LOCAL TIME ZONE -> ARRAY<INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> ARRAY<STRING>: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> MAP<STRING, INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> ROW<a INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> MULTISET<INT>: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> VARIANT: implicit=false explicit=false rule=false
TIMESTAMP(3) WITH LOCAL TIME ZONE -> BLOB: implicit=false explicit=false rule=false
ARRAY<INT> -> BOOLEAN: implicit=false explicit=false rule=false
ARRAY<INT> -> TINYINT: implicit=false explicit=false rule=false
ARRAY<INT> -> SMALLINT: implicit=false explicit=false rule=false
ARRAY<INT> -> INT: implicit=false explicit=false rule=false
ARRAY<INT> -> INT NOT NULL: implicit=false explicit=false rule=false
ARRAY<INT> -> BIGINT: implicit=false explicit=false rule=false
ARRAY<INT> -> FLOAT: implicit=false explicit=false rule=false
ARRAY<INT> -> DOUBLE: implicit=false explicit=false rule=false
ARRAY<INT> -> DECIMAL(10, 2): implicit=false explicit=false rule=false
ARRAY<INT> -> DECIMAL(20, 4): implicit=false explicit=false rule=false
ARRAY<INT> -> CHAR(5): implicit=false explicit=true rule=true
ARRAY<INT> -> VARCHAR(10): implicit=false explicit=true rule=true
ARRAY<INT> -> STRING: implicit=false explicit=true rule=true
ARRAY<INT> -> STRING NOT NULL: implicit=false explicit=true rule=true
ARRAY<INT> -> BINARY(4): implicit=false explicit=false rule=false
ARRAY<INT> -> VARBINARY(10): implicit=false explicit=false rule=false
ARRAY<INT> -> BYTES: implicit=false explicit=false rule=false
ARRAY<INT> -> DATE: implicit=false explicit=false rule=false
ARRAY<INT> -> TIME(0): implicit=false explicit=false rule=false
ARRAY<INT> -> TIME(3): implicit=false explicit=false rule=false
ARRAY<INT> -> TIMESTAMP(3): implicit=false explicit=false rule=false
ARRAY<INT> -> TIMESTAMP(6): implicit=false explicit=false rule=false
ARRAY<INT> -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
ARRAY<INT> -> ARRAY<INT>: implicit=true explicit=true rule=false
ARRAY<INT> -> ARRAY<STRING>: implicit=true explicit=true rule=false
ARRAY<INT> -> MAP<STRING, INT>: implicit=false explicit=false rule=false
ARRAY<INT> -> ROW<a INT>: implicit=false explicit=false rule=false
ARRAY<INT> -> MULTISET<INT>: implicit=false explicit=false rule=false
ARRAY<INT> -> VARIANT: implicit=false explicit=false rule=false
ARRAY<INT> -> BLOB: implicit=false explicit=false rule=false
ARRAY<STRING> -> BOOLEAN: implicit=false explicit=false rule=false
ARRAY<STRING> -> TINYINT: implicit=false explicit=false rule=false
ARRAY<STRING> -> SMALLINT: implicit=false explicit=false rule=false
ARRAY<STRING> -> INT: implicit=false explicit=false rule=false
ARRAY<STRING> -> INT NOT NULL: implicit=false explicit=false rule=false
ARRAY<STRING> -> BIGINT: implicit=false explicit=false rule=false
ARRAY<STRING> -> FLOAT: implicit=false explicit=false rule=false
ARRAY<STRING> -> DOUBLE: implicit=false explicit=false rule=false
ARRAY<STRING> -> DECIMAL(10, 2): implicit=false explicit=false rule=false
ARRAY<STRING> -> DECIMAL(20, 4): implicit=false explicit=false rule=false
ARRAY<STRING> -> CHAR(5): implicit=false explicit=true rule=true
ARRAY<STRING> -> VARCHAR(10): implicit=false explicit=true rule=true
ARRAY<STRING> -> STRING: implicit=false explicit=true rule=true
ARRAY<STRING> -> STRING NOT NULL: implicit=false explicit=true rule=true
ARRAY<STRING> -> BINARY(4): implicit=false explicit=false rule=false
ARRAY<STRING> -> VARBINARY(10): implicit=false explicit=false rule=false
ARRAY<STRING> -> BYTES: implicit=false explicit=false rule=false
ARRAY<STRING> -> DATE: implicit=false explicit=false rule=false
ARRAY<STRING> -> TIME(0): implicit=false explicit=false rule=false
ARRAY<STRING> -> TIME(3): implicit=false explicit=false rule=false
ARRAY<STRING> -> TIMESTAMP(3): implicit=false explicit=false rule=false
ARRAY<STRING> -> TIMESTAMP(6): implicit=false explicit=false rule=false
ARRAY<STRING> -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
ARRAY<STRING> -> ARRAY<INT>: implicit=true explicit=true rule=false
ARRAY<STRING> -> ARRAY<STRING>: implicit=true explicit=true rule=false
ARRAY<STRING> -> MAP<STRING, INT>: implicit=false explicit=false rule=false
ARRAY<STRING> -> ROW<a INT>: implicit=false explicit=false rule=false
ARRAY<STRING> -> MULTISET<INT>: implicit=false explicit=false rule=false
ARRAY<STRING> -> VARIANT: implicit=false explicit=false rule=false
ARRAY<STRING> -> BLOB: implicit=false explicit=false rule=false
MAP<STRING, INT> -> BOOLEAN: implicit=false explicit=false rule=false
MAP<STRING, INT> -> TINYINT: implicit=false explicit=false rule=false
MAP<STRING, INT> -> SMALLINT: implicit=false explicit=false rule=false
MAP<STRING, INT> -> INT: implicit=false explicit=false rule=false
MAP<STRING, INT> -> INT NOT NULL: implicit=false explicit=false rule=false
MAP<STRING, INT> -> BIGINT: implicit=false explicit=false rule=false
MAP<STRING, INT> -> FLOAT: implicit=false explicit=false rule=false
MAP<STRING, INT> -> DOUBLE: implicit=false explicit=false rule=false
MAP<STRING, INT> -> DECIMAL(10, 2): implicit=false explicit=false rule=false
MAP<STRING, INT> -> DECIMAL(20, 4): implicit=false explicit=false rule=false
MAP<STRING, INT> -> CHAR(5): implicit=false explicit=true rule=true
MAP<STRING, INT> -> VARCHAR(10): implicit=false explicit=true rule=true
MAP<STRING, INT> -> STRING: implicit=false explicit=true rule=true
MAP<STRING, INT> -> STRING NOT NULL: implicit=false explicit=true rule=true
MAP<STRING, INT> -> BINARY(4): implicit=false explicit=false rule=false
MAP<STRING, INT> -> VARBINARY(10): implicit=false explicit=false rule=false
MAP<STRING, INT> -> BYTES: implicit=false explicit=false rule=false
MAP<STRING, INT> -> DATE: implicit=false explicit=false rule=false
MAP<STRING, INT> -> TIME(0): implicit=false explicit=false rule=false
MAP<STRING, INT> -> TIME(3): implicit=false explicit=false rule=false
MAP<STRING, INT> -> TIMESTAMP(3): implicit=false explicit=false rule=false
MAP<STRING, INT> -> TIMESTAMP(6): implicit=false explicit=false rule=false
MAP<STRING, INT> -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
MAP<STRING, INT> -> ARRAY<INT>: implicit=false explicit=false rule=false
MAP<STRING, INT> -> ARRAY<STRING>: implicit=false explicit=false rule=false
MAP<STRING, INT> -> MAP<STRING, INT>: implicit=true explicit=true rule=false
MAP<STRING, INT> -> ROW<a INT>: implicit=false explicit=false rule=false
MAP<STRING, INT> -> MULTISET<INT>: implicit=false explicit=false rule=false
MAP<STRING, INT> -> VARIANT: implicit=false explicit=false rule=false
MAP<STRING, INT> -> BLOB: implicit=false explicit=false rule=false
ROW<a INT> -> BOOLEAN: implicit=false explicit=false rule=false
ROW<a INT> -> TINYINT: implicit=false explicit=false rule=false
ROW<a INT> -> SMALLINT: implicit=false explicit=false rule=false
ROW<a INT> -> INT: implicit=false explicit=false rule=false
ROW<a INT> -> INT NOT NULL: implicit=false explicit=false rule=false
ROW<a INT> -> BIGINT: implicit=false explicit=false rule=false
ROW<a INT> -> FLOAT: implicit=false explicit=false rule=false
ROW<a INT> -> DOUBLE: implicit=false explicit=false rule=false
ROW<a INT> -> DECIMAL(10, 2): implicit=false explicit=false rule=false
ROW<a INT> -> DECIMAL(20, 4): implicit=false explicit=false rule=false
ROW<a INT> -> CHAR(5): implicit=false explicit=true rule=true
ROW<a INT> -> VARCHAR(10): implicit=false explicit=true rule=true
ROW<a INT> -> STRING: implicit=false explicit=true rule=true
ROW<a INT> -> STRING NOT NULL: implicit=false explicit=true rule=true
ROW<a INT> -> BINARY(4): implicit=false explicit=false rule=false
ROW<a INT> -> VARBINARY(10): implicit=false explicit=false rule=false
ROW<a INT> -> BYTES: implicit=false explicit=false rule=false
ROW<a INT> -> DATE: implicit=false explicit=false rule=false
ROW<a INT> -> TIME(0): implicit=false explicit=false rule=false
ROW<a INT> -> TIME(3): implicit=false explicit=false rule=false
ROW<a INT> -> TIMESTAMP(3): implicit=false explicit=false rule=false
ROW<a INT> -> TIMESTAMP(6): implicit=false explicit=false rule=false
ROW<a INT> -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
ROW<a INT> -> ARRAY<INT>: implicit=false explicit=false rule=false
ROW<a INT> -> ARRAY<STRING>: implicit=false explicit=false rule=false
ROW<a INT> -> MAP<STRING, INT>: implicit=false explicit=false rule=false
ROW<a INT> -> ROW<a INT>: implicit=true explicit=true rule=false
ROW<a INT> -> MULTISET<INT>: implicit=false explicit=false rule=false
ROW<a INT> -> VARIANT: implicit=false explicit=false rule=false
ROW<a INT> -> BLOB: implicit=false explicit=false rule=false
MULTISET<INT> -> BOOLEAN: implicit=false explicit=false rule=false
MULTISET<INT> -> TINYINT: implicit=false explicit=false rule=false
MULTISET<INT> -> SMALLINT: implicit=false explicit=false rule=false
MULTISET<INT> -> INT: implicit=false explicit=false rule=false
MULTISET<INT> -> INT NOT NULL: implicit=false explicit=false rule=false
MULTISET<INT> -> BIGINT: implicit=false explicit=false rule=false
MULTISET<INT> -> FLOAT: implicit=false explicit=false rule=false
MULTISET<INT> -> DOUBLE: implicit=false explicit=false rule=false
MULTISET<INT> -> DECIMAL(10, 2): implicit=false explicit=false rule=false
MULTISET<INT> -> DECIMAL(20, 4): implicit=false explicit=false rule=false
MULTISET<INT> -> CHAR(5): implicit=false explicit=true rule=false
MULTISET<INT> -> VARCHAR(10): implicit=false explicit=true rule=false
MULTISET<INT> -> STRING: implicit=false explicit=true rule=false
MULTISET<INT> -> STRING NOT NULL: implicit=false explicit=true rule=false
MULTISET<INT> -> BINARY(4): implicit=false explicit=false rule=false
MULTISET<INT> -> VARBINARY(10): implicit=false explicit=false rule=false
MULTISET<INT> -> BYTES: implicit=false explicit=false rule=false
MULTISET<INT> -> DATE: implicit=false explicit=false rule=false
MULTISET<INT> -> TIME(0): implicit=false explicit=false rule=false
MULTISET<INT> -> TIME(3): implicit=false explicit=false rule=false
MULTISET<INT> -> TIMESTAMP(3): implicit=false explicit=false rule=false
MULTISET<INT> -> TIMESTAMP(6): implicit=false explicit=false rule=false
MULTISET<INT> -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
MULTISET<INT> -> ARRAY<INT>: implicit=false explicit=false rule=false
MULTISET<INT> -> ARRAY<STRING>: implicit=false explicit=false rule=false
MULTISET<INT> -> MAP<STRING, INT>: implicit=false explicit=false rule=false
MULTISET<INT> -> ROW<a INT>: implicit=false explicit=false rule=false
MULTISET<INT> -> MULTISET<INT>: implicit=true explicit=true rule=false
MULTISET<INT> -> VARIANT: implicit=false explicit=false rule=false
MULTISET<INT> -> BLOB: implicit=false explicit=false rule=false
VARIANT -> BOOLEAN: implicit=false explicit=false rule=false
VARIANT -> TINYINT: implicit=false explicit=false rule=false
VARIANT -> SMALLINT: implicit=false explicit=false rule=false
VARIANT -> INT: implicit=false explicit=false rule=false
VARIANT -> INT NOT NULL: implicit=false explicit=false rule=false
VARIANT -> BIGINT: implicit=false explicit=false rule=false
VARIANT -> FLOAT: implicit=false explicit=false rule=false
VARIANT -> DOUBLE: implicit=false explicit=false rule=false
VARIANT -> DECIMAL(10, 2): implicit=false explicit=false rule=false
VARIANT -> DECIMAL(20, 4): implicit=false explicit=false rule=false
VARIANT -> CHAR(5): implicit=false explicit=true rule=false
VARIANT -> VARCHAR(10): implicit=false explicit=true rule=false
VARIANT -> STRING: implicit=false explicit=true rule=false
VARIANT -> STRING NOT NULL: implicit=false explicit=true rule=false
VARIANT -> BINARY(4): implicit=false explicit=false rule=false
VARIANT -> VARBINARY(10): implicit=false explicit=false rule=false
VARIANT -> BYTES: implicit=false explicit=false rule=false
VARIANT -> DATE: implicit=false explicit=false rule=false
VARIANT -> TIME(0): implicit=false explicit=false rule=false
VARIANT -> TIME(3): implicit=false explicit=false rule=false
VARIANT -> TIMESTAMP(3): implicit=false explicit=false rule=false
VARIANT -> TIMESTAMP(6): implicit=false explicit=false rule=false
VARIANT -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
VARIANT -> ARRAY<INT>: implicit=false explicit=false rule=false
VARIANT -> ARRAY<STRING>: implicit=false explicit=false rule=false
VARIANT -> MAP<STRING, INT>: implicit=false explicit=false rule=false
VARIANT -> ROW<a INT>: implicit=false explicit=false rule=false
VARIANT -> MULTISET<INT>: implicit=false explicit=false rule=false
VARIANT -> VARIANT: implicit=true explicit=true rule=false
VARIANT -> BLOB: implicit=false explicit=false rule=false
BLOB -> BOOLEAN: implicit=false explicit=false rule=false
BLOB -> TINYINT: implicit=false explicit=false rule=false
BLOB -> SMALLINT: implicit=false explicit=false rule=false
BLOB -> INT: implicit=false explicit=false rule=false
BLOB -> INT NOT NULL: implicit=false explicit=false rule=false
BLOB -> BIGINT: implicit=false explicit=false rule=false
BLOB -> FLOAT: implicit=false explicit=false rule=false
BLOB -> DOUBLE: implicit=false explicit=false rule=false
BLOB -> DECIMAL(10, 2): implicit=false explicit=false rule=false
BLOB -> DECIMAL(20, 4): implicit=false explicit=false rule=false
BLOB -> CHAR(5): implicit=false explicit=true rule=false
BLOB -> VARCHAR(10): implicit=false explicit=true rule=false
BLOB -> STRING: implicit=false explicit=true rule=false
BLOB -> STRING NOT NULL: implicit=false explicit=true rule=false
BLOB -> BINARY(4): implicit=false explicit=false rule=false
BLOB -> VARBINARY(10): implicit=false explicit=false rule=false
BLOB -> BYTES: implicit=false explicit=false rule=false
BLOB -> DATE: implicit=false explicit=false rule=false
BLOB -> TIME(0): implicit=false explicit=false rule=false
BLOB -> TIME(3): implicit=false explicit=false rule=false
BLOB -> TIMESTAMP(3): implicit=false explicit=false rule=false
BLOB -> TIMESTAMP(6): implicit=false explicit=false rule=false
BLOB -> TIMESTAMP(3) WITH LOCAL TIME ZONE: implicit=false explicit=false rule=false
BLOB -> ARRAY<INT>: implicit=false explicit=false rule=false
BLOB -> ARRAY<STRING>: implicit=false explicit=false rule=false
BLOB -> MAP<STRING, INT>: implicit=false explicit=false rule=false
BLOB -> ROW<a INT>: implicit=false explicit=false rule=false
BLOB -> MULTISET<INT>: implicit=false explicit=false rule=false
BLOB -> VARIANT: implicit=false explicit=false rule=false
BLOB -> BLOB: implicit=true explicit=true rule=false
