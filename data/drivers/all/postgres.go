package all

import _ "github.com/msticgo/msticgo/data/drivers/postgres" // PostgreSQL environment
